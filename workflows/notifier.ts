import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeFailure } from './failures';
import type { ActionState, NotificationRecord, ReviewNotice } from '../domain/types';

type PostedRecord = NotificationRecord & { ref: NonNullable<NotificationRecord['ref']> };

/** Slack and Teams calls: rate limits come back with Retry-After as nextRetryDelay; permanent errors are non-retryable. */
const messaging = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

/** The requester's callback: retried with backoff for a few minutes, then recorded as failed. */
const callbacks = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 8 },
});

const SLACK_PREFIX = 'slack:';
const TEAMS_PREFIX = 'teams:';

/**
 * Teams channels were ignored before this patch: a workflow whose policy named one posted nothing
 * there. The patch is asked only when a Teams channel is named, so other workflows' histories
 * (and their commands) stay exactly as they were.
 */
const TEAMS_CHANNEL = 'teams-channel';

type ChannelKind = 'slack' | 'teams';

/**
 * Keeps every channel in step with the action: posts the review request where policy says,
 * updates those messages in place after each change, and calls the requester back at the end.
 * A failed delivery is recorded on the action (and visible in history); it never loses the request.
 * With no channel and no callback it schedules nothing, so older histories replay unchanged.
 */
export class Notifier {
  private rendered = -1;
  /**
   * The answer of `patched(TEAMS_CHANNEL)`, asked once. Kept when it is no (an action started
   * before the patch, replaying): it then ignores Teams to its end, escalations included.
   */
  private teams: boolean | undefined;

  constructor(
    private readonly state: ActionState,
    /** A counter the workflow bumps on every change of state worth showing. */
    private readonly changes: () => number,
    /** Told of every delivery, sent or failed (the audit trail records each). */
    private readonly onDelivery: (record: NotificationRecord) => void = () => undefined,
  ) {}

  /** Posts the review request to each Slack and Teams channel named by policy (other channel kinds have their own issues). */
  async announce(channels: string[]): Promise<void> {
    if (!channels.some((channel) => this.served(channel))) return;
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
          const posted =
            kindOf(target) === 'teams' ? await messaging.postTeamsNotice({ ref, notice }) : await messaging.postSlackNotice({ ref, notice });
          this.record({ target, purpose: notice.kind, status: 'sent', ref: posted, at: now() });
        } catch (err) {
          this.record({ target, purpose: notice.kind, status: 'failed', error: describeFailure(err), at: now() });
        }
      }),
    );
  }

  private async post(channels: string[]): Promise<void> {
    const served = channels.filter((channel) => this.served(channel));
    await Promise.all(
      served.map(async (target) => {
        try {
          const ref =
            kindOf(target) === 'teams'
              ? await messaging.postTeamsReview({ state: this.state, conversationId: target.slice(TEAMS_PREFIX.length) })
              : await messaging.postSlackReview({ state: this.state, channel: target.slice(SLACK_PREFIX.length) });
          this.record({ target, status: 'sent', ref, at: now() });
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
          if (kindOf(record.target) === 'teams') await messaging.updateTeamsReview({ state: snapshot, ref: record.ref });
          else await messaging.updateSlackReview({ state: snapshot, ref: record.ref });
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

  /**
   * The kind of a channel this notifier serves, or undefined. The first Teams channel asks for the
   * patch (inserting its marker in new histories); replaying an older history, the answer is no.
   */
  private served(channel: string): ChannelKind | undefined {
    const kind = kindOf(channel);
    if (kind !== 'teams') return kind;
    this.teams ??= patched(TEAMS_CHANNEL);
    return this.teams ? kind : undefined;
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

/** The kind of a channel by its prefix; records of posted messages keep the prefix in `target`. */
function kindOf(channel: string): ChannelKind | undefined {
  if (channel.startsWith(SLACK_PREFIX)) return 'slack';
  if (channel.startsWith(TEAMS_PREFIX)) return 'teams';
  return undefined;
}

function now(): string {
  return new Date(Date.now()).toISOString();
}
