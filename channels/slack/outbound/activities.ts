import type { WebClient } from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';
import { channelIdOf, type LoadedPolicy } from '../../../policy';
import { readMessageRef, type MessageRef, type StoredMessageRef } from '../../../domain/message-ref';
import type { ActionState, ReviewNotice } from '../../../domain/types';
import { logInfo } from '../../../activities/activity-log';
import { reviewMessage, type MessageLinks } from '../../review-message';
import { reviewBlocks } from '../blocks';
import type { SlackSettings } from '../client-options';
import { loadSlackClient } from '../lazy-client';
import { noticeText } from './notice-text';
import { SlackFailureType } from '../../../domain/failure-types';
import { toSlackFailure } from './slack-errors';

export interface SlackActivityDeps {
  /** Unset: Slack is not configured, and every Slack activity fails non-retryably. */
  slack?: SlackSettings;
  links: MessageLinks;
  /** Maps identities to Slack user ids, so notices mention people; unset, they are named instead. */
  policy?: () => LoadedPolicy;
}

export interface PostSlackReviewInput {
  state: ActionState;
  /** A channel id (`C0123…`) or a `#name`, as the policy names it after `slack:`. */
  channel: string;
}

export interface PostSlackNoticeInput {
  /** The review message whose thread gets the notice: a Slack channel id and the message's ts. */
  ref: StoredMessageRef;
  notice: ReviewNotice;
}

export interface UpdateSlackReviewInput {
  state: ActionState;
  /** What postSlackReview returned: a Slack channel id and the message's ts. */
  ref: StoredMessageRef;
}

/**
 * The Slack activities: post the review request, then update it in place. One Web API call per
 * attempt; the failure says whether Temporal should retry (and after how long, on a 429).
 */
export function createSlackActivities(deps: SlackActivityDeps) {
  let shared: Promise<WebClient> | undefined;
  const secrets = [deps.slack?.botToken];

  const client = (): Promise<WebClient> => {
    if (!deps.slack) {
      throw ApplicationFailure.create({
        type: SlackFailureType.NotConfigured,
        message: 'Slack is not configured: set AIRLOCK_SLACK_BOT_TOKEN on the worker',
        nonRetryable: true,
      });
    }
    return (shared ??= loadSlackClient(deps.slack));
  };
  const render = (state: ActionState) => reviewBlocks(reviewMessage(state, deps.links));

  return {
    /** Posts the review request; returns the channel id and ts Slack assigned, for later updates. */
    async postSlackReview(input: PostSlackReviewInput): Promise<MessageRef> {
      const slack = await client();
      const { text, blocks } = render(input.state);
      let result: Awaited<ReturnType<WebClient['chat']['postMessage']>>;
      try {
        result = await slack.chat.postMessage({ channel: input.channel, text, blocks, unfurl_links: false, unfurl_media: false });
      } catch (err) {
        throw toSlackFailure(err, 'chat.postMessage', secrets);
      }
      if (!result.channel || !result.ts) {
        // The message may well be posted: a retry could post it twice, so this is not retried.
        throw ApplicationFailure.create({
          type: SlackFailureType.Permanent,
          message: 'chat.postMessage answered ok without a channel and ts',
          nonRetryable: true,
        });
      }
      logInfo('posted Slack review', { actionId: input.state.actionId, channel: result.channel, ts: result.ts });
      return { conversation: result.channel, messageId: result.ts };
    },

    /** Replaces the posted message with the current state (votes so far, outcome, no buttons once closed). */
    async updateSlackReview(input: UpdateSlackReviewInput): Promise<void> {
      const slack = await client();
      const { text, blocks } = render(input.state);
      const ref = readMessageRef(input.ref);
      try {
        await slack.chat.update({ channel: ref.conversation, ts: ref.messageId, text, blocks });
      } catch (err) {
        throw toSlackFailure(err, 'chat.update', secrets);
      }
      logInfo('updated Slack review', { actionId: input.state.actionId, status: input.state.status, ts: ref.messageId });
    },

    /** Posts a reminder or escalation notice in the review message's thread, mentioning the people it is for. */
    async postSlackNotice(input: PostSlackNoticeInput): Promise<MessageRef> {
      const slack = await client();
      const policy = deps.policy?.();
      const text = noticeText(input.notice, (id) => (policy ? channelIdOf(policy, 'slack', id) : undefined));
      const thread = readMessageRef(input.ref);
      let result: Awaited<ReturnType<WebClient['chat']['postMessage']>>;
      try {
        result = await slack.chat.postMessage({ channel: thread.conversation, thread_ts: thread.messageId, text, unfurl_links: false, unfurl_media: false });
      } catch (err) {
        throw toSlackFailure(err, 'chat.postMessage', secrets);
      }
      logInfo('posted Slack notice', { actionId: input.notice.actionId, kind: input.notice.kind, channel: thread.conversation, thread: thread.messageId });
      return { conversation: result.channel ?? thread.conversation, messageId: result.ts ?? '' };
    },
  };
}

export type SlackActivities = ReturnType<typeof createSlackActivities>;
