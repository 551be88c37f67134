import { deprecatePatch, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { channelProblem, isMessagingKind, splitChannel, type MessagingKind } from '../channels/kinds';
import { FailureType } from '../domain/failure-types';
import { readMessageRef, type MessageRef, type StoredMessageRef } from '../domain/message-ref';
import { describeFailure } from './failures';
import type { PatchId } from './patches';
import { TERMINAL_STATUSES, type ActionState, type NotificationRecord, type ReviewNotice } from '../domain/types';

type PostedRecord = NotificationRecord & { ref: StoredMessageRef };

/** Slack, Teams and SMTP calls: rate limits come back with Retry-After as nextRetryDelay; permanent errors are non-retryable. */
const messaging = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

/** The requester's callback: retried with backoff for a few minutes, then recorded as failed. */
const callbacks = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 8 },
});

/**
 * How the workflow reaches one messaging channel kind: the activities it schedules. Their names
 * are in recorded histories and never change. A message posted by an older worker comes back
 * from history as `{ channel, ts }`, hence StoredMessageRef.
 */
interface Messenger {
  post(state: ActionState, target: string): Promise<StoredMessageRef>;
  /** Shows `state` (a snapshot) in the posted message. */
  update(state: ActionState, ref: MessageRef): Promise<void>;
  /** `state` is the action as it stands, for channels whose notices stand alone (email). */
  notice(ref: MessageRef, notice: ReviewNotice, state: ActionState): Promise<StoredMessageRef>;
}

/** One messenger per messaging kind of channels/kinds.ts (the compiler checks that none is missing). */
const MESSENGERS: Record<MessagingKind, Messenger> = {
  slack: {
    post: (state, channel) => messaging.postSlackReview({ state, channel }),
    update: (state, ref) => messaging.updateSlackReview({ state, ref }),
    notice: (ref, notice) => messaging.postSlackNotice({ ref, notice }),
  },
  teams: {
    post: (state, conversationId) => messaging.postTeamsReview({ state, conversationId }),
    update: (state, ref) => messaging.updateTeamsReview({ state, ref }),
    notice: (ref, notice) => messaging.postTeamsNotice({ ref, notice }),
  },
  /*
   * An email cannot be edited: instead of an update on every change, one outcome email in reply to
   * the review once the action is closed, and nothing scheduled before (so a vote or an escalation
   * adds no command). Reminders and escalations are replies too.
   */
  email: {
    post: (state, to) => messaging.sendEmailReview({ state, to }),
    update: async (state, ref) => {
      if (TERMINAL_STATUSES.includes(state.status)) await messaging.sendEmailOutcome({ state, ref });
    },
    notice: (ref, notice, state) => messaging.sendEmailNotice({ ref, notice, state: structuredCopy(state) }),
  },
};

/*
 * Patches of release 0.1.0, deprecated in 0.2.0 (workflows/patches.ts), each marked where it always
 * was: when a channel of its kind is first routed, so other histories carry no marker. 0.3.0
 * removes them.
 */
/** Teams channels are posted to (before 0.1.0 they were ignored). */
const TEAMS_CHANNEL: PatchId = 'teams-channel';
/**
 * A channel of a kind Airlock has no integration for is recorded as a failed delivery (before
 * 0.1.0 it was skipped). Policy loading refuses such channels, so only an action decided under an
 * older policy can name one.
 */
const UNREGISTERED_CHANNEL: PatchId = 'unregistered-channel';

/** What becomes of one channel the policy names. */
type Route =
  | { deliver: MessagingKind; target: string }
  | { refuse: string }
  /** Nothing to do: `api`. */
  | undefined;

/**
 * Keeps every channel in step with the action: posts the review request where policy says,
 * updates those messages in place after each change, and calls the requester back at the end.
 * A failed delivery is recorded on the action (and visible in history); it never loses the request.
 * With no channel and no callback it schedules nothing, so older histories replay unchanged.
 */
export class Notifier {
  private rendered = -1;

  constructor(
    private readonly state: ActionState,
    /** A counter the workflow bumps on every change of state worth showing. */
    private readonly changes: () => number,
    /** Told of every delivery, sent or failed (the audit trail records each). */
    private readonly onDelivery: (record: NotificationRecord) => void = () => undefined,
  ) {}

  /** Posts the review request to each messaging channel named by policy. */
  async announce(channels: string[]): Promise<void> {
    if (!channels.some((channel) => this.route(channel) !== undefined)) return;
    this.rendered = this.changes();
    await this.post(channels);
  }

  /** Posts a reminder in the thread of every posted review message, mentioning who has not voted. */
  async remind(notice: ReviewNotice): Promise<void> {
    await this.postNotices(this.posted(), notice);
  }

  /**
   * Announces an escalation in the escalation channels: the review is posted where it is not yet
   * (then kept up to date like the others), and each review message there gets a notice in its thread.
   * Messages posted earlier now show an older state, so the review loop refreshes them.
   */
  async escalate(channels: string[], notice: ReviewNotice): Promise<void> {
    await this.post(channels.filter((channel) => !this.posted().some((record) => record.target === channel)));
    await this.postNotices(
      this.posted().filter((record) => channels.includes(record.target)),
      notice,
    );
  }

  private async postNotices(messages: PostedRecord[], notice: ReviewNotice): Promise<void> {
    await Promise.all(
      messages.map(async ({ target, ref }) => {
        try {
          const posted = await this.messengerOf(target).notice(readMessageRef(ref), notice, this.state);
          this.record({ target, purpose: notice.kind, status: 'sent', ref: readMessageRef(posted), at: now() });
        } catch (err) {
          this.record({ target, purpose: notice.kind, status: 'failed', error: describeFailure(err), at: now() });
        }
      }),
    );
  }

  private async post(channels: string[]): Promise<void> {
    // Every route first: the patch markers come before any activity is scheduled, as they always did.
    const routes = channels.map((target) => ({ target, route: this.route(target) }));
    await Promise.all(
      routes.map(async ({ target, route }) => {
        if (route === undefined) return;
        if ('refuse' in route) {
          this.record({ target, status: 'failed', error: { type: FailureType.ChannelNotAvailable, message: route.refuse }, at: now() });
          return;
        }
        try {
          const ref = await MESSENGERS[route.deliver].post(this.state, route.target);
          this.record({ target, status: 'sent', ref: readMessageRef(ref), at: now() });
        } catch (err) {
          this.record({ target, status: 'failed', error: describeFailure(err), at: now() });
        }
      }),
    );
  }

  /** True when a posted message shows an older state than the current one. */
  needsRefresh(): boolean {
    return this.posted().length > 0 && this.rendered !== this.changes();
  }

  /** Updates every posted message in place with the current state. */
  async refresh(): Promise<void> {
    if (!this.needsRefresh()) return;
    this.rendered = this.changes();
    const snapshot = structuredCopy(this.state);
    await Promise.all(
      this.posted().map(async (record) => {
        try {
          await this.messengerOf(record.target).update(snapshot, readMessageRef(record.ref));
          delete record.error;
        } catch (err) {
          record.error = describeFailure(err); // the message is stale; the action itself goes on
        }
      }),
    );
  }

  /** POSTs the final outcome to the requester's callback URL, if it gave one. */
  async deliverOutcome(): Promise<void> {
    const url = this.state.request.callbackUrl;
    if (!url) return;
    try {
      await callbacks.deliverCallback({ url, state: this.state });
      this.record({ target: 'callback', status: 'sent', at: now() });
    } catch (err) {
      this.record({ target: 'callback', status: 'failed', error: describeFailure(err), at: now() });
    }
  }

  /** The review messages posted (not the notices in their threads). */
  private posted(): PostedRecord[] {
    return (this.state.notifications ?? []).filter(
      (record): record is PostedRecord => record.status === 'sent' && record.ref !== undefined && record.purpose === undefined,
    );
  }

  /** Where a channel leads. A Teams channel, or a kind Airlock cannot deliver to, marks its patch (once: later calls add nothing). */
  private route(channel: string): Route {
    const { kind, target } = splitChannel(channel);
    if (channel === 'api') return undefined;
    if (!isMessagingKind(kind)) {
      deprecatePatch(UNREGISTERED_CHANNEL);
      return { refuse: channelProblem(channel) ?? `no ${kind} channel is available` };
    }
    if (kind === 'teams') deprecatePatch(TEAMS_CHANNEL);
    return { deliver: kind, target };
  }

  /** The messenger of a posted message's channel; only messaging channels are ever posted. */
  private messengerOf(target: string): Messenger {
    const { kind } = splitChannel(target);
    if (!isMessagingKind(kind)) throw new TypeError(`${target} is not a messaging channel, yet a message was posted there`);
    return MESSENGERS[kind];
  }

  private record(record: NotificationRecord): void {
    (this.state.notifications ??= []).push(record);
    this.onDelivery(record);
  }
}

/** The state as of now: activity inputs are serialized when scheduled, but the record list keeps changing. */
function structuredCopy(state: ActionState): ActionState {
  return JSON.parse(JSON.stringify(state)) as ActionState;
}

function now(): string {
  return new Date(Date.now()).toISOString();
}
