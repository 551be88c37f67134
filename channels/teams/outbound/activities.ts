import { ApplicationFailure } from '@temporalio/common';
import { channelIdOf, type LoadedPolicy } from '../../../policy';
import { readMessageRef, type MessageRef, type StoredMessageRef } from '../../../domain/message-ref';
import type { ActionState, ReviewNotice } from '../../../domain/types';
import { logInfo } from '../../../activities/activity-log';
import { reviewMessage, type MessageLinks } from '../../review-message';
import { ADAPTIVE_CARD_CONTENT_TYPE, teamsCardSummary, teamsReviewCard } from '../card';
import { teamsConnector, type TeamsConnector, type TeamsOutgoingActivity, type TeamsSettings } from './connector';
import { teamsNoticeActivity } from './notice';
import { TeamsFailureType } from '../../../domain/failure-types';

export interface TeamsActivityDeps {
  /** Unset: Teams is not configured, and every Teams activity fails non-retryably. */
  teams?: TeamsSettings;
  links: MessageLinks;
  /** Maps identities to Azure AD object ids, so notices mention people; unset, they are named instead. */
  policy?: () => LoadedPolicy;
  /** Tests inject a fetch; the worker uses the global one. */
  fetch?: typeof fetch;
}

export interface PostTeamsReviewInput {
  state: ActionState;
  /** The conversation id, as the policy names it after `teams:` (a channel: `19:…@thread.tacv2`). */
  conversationId: string;
}

export interface UpdateTeamsReviewInput {
  state: ActionState;
  /** What postTeamsReview returned: the conversation id and the card's activity id. */
  ref: StoredMessageRef;
}

export interface PostTeamsNoticeInput {
  /** The review card the notice replies to. */
  ref: StoredMessageRef;
  notice: ReviewNotice;
}

/**
 * The Teams activities: post the review card, update it in place, reply with notices. One Bot
 * Connector call per attempt (plus a token fetch when needed); the failure says whether Temporal
 * should retry, and after how long on a 429.
 */
export function createTeamsActivities(deps: TeamsActivityDeps) {
  let shared: TeamsConnector | undefined;

  const connector = (): TeamsConnector => {
    if (!deps.teams) {
      throw ApplicationFailure.create({
        type: TeamsFailureType.NotConfigured,
        message: 'Teams is not configured: set AIRLOCK_TEAMS_APP_ID, AIRLOCK_TEAMS_APP_PASSWORD and AIRLOCK_TEAMS_SERVICE_URL on the worker',
        nonRetryable: true,
      });
    }
    return (shared ??= teamsConnector(deps.teams, deps.fetch));
  };
  const render = (state: ActionState): TeamsOutgoingActivity => {
    const message = reviewMessage(state, deps.links);
    return {
      type: 'message',
      summary: teamsCardSummary(message),
      attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: teamsReviewCard(message) }],
    };
  };

  return {
    /** Posts the review card; returns the conversation and activity ids, for later updates. */
    async postTeamsReview(input: PostTeamsReviewInput): Promise<MessageRef> {
      const teams = connector();
      const id = await teams.postActivity(input.conversationId, render(input.state));
      logInfo('posted Teams review', { actionId: input.state.actionId, conversation: input.conversationId, activity: id });
      return { conversation: input.conversationId, messageId: id };
    },

    /** Replaces the posted card with the current state (votes so far, outcome, no buttons once closed). */
    async updateTeamsReview(input: UpdateTeamsReviewInput): Promise<void> {
      const teams = connector();
      const card = readMessageRef(input.ref);
      await teams.updateActivity(card.conversation, card.messageId, render(input.state));
      logInfo('updated Teams review', { actionId: input.state.actionId, status: input.state.status, activity: card.messageId });
    },

    /** Replies to the review card with a reminder or escalation notice, mentioning the people it is for. */
    async postTeamsNotice(input: PostTeamsNoticeInput): Promise<MessageRef> {
      const teams = connector();
      const policy = deps.policy?.();
      const activity = teamsNoticeActivity(input.notice, (id) => (policy ? channelIdOf(policy, 'teams', id) : undefined));
      const card = readMessageRef(input.ref);
      const id = await teams.replyToActivity(card.conversation, card.messageId, activity);
      logInfo('posted Teams notice', { actionId: input.notice.actionId, kind: input.notice.kind, conversation: card.conversation, replyTo: card.messageId });
      return { conversation: card.conversation, messageId: id };
    },
  };
}

export type TeamsActivities = ReturnType<typeof createTeamsActivities>;
