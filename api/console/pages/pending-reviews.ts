import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { ActionsPort } from '../../../domain/actions-port';
import { ActionStatus, type ActionState } from '../../../domain/types';

/** The actions pending review at one moment, and a version that changes whenever their set or their votes do. */
export interface PendingSnapshot {
  at: number;
  /** Newest first. */
  states: ActionState[];
  /** Pending actions whose state could not be read (no worker answered): nobody can tell who may decide them. */
  unreadable: number;
  version: string;
}

export interface PendingReviewsOptions {
  /** How often the poller reads while anyone listens, and how old a snapshot a page may be given. */
  intervalMs: number;
  /** At most this many pending actions are read. */
  limit: number;
  /** State queries in flight at once. */
  concurrency: number;
}

const DEFAULTS: PendingReviewsOptions = { intervalMs: 2000, limit: 200, concurrency: 8 };

/**
 * One reader of the pending reviews for the whole console, however many people have it open: the
 * inbox pages read its snapshot, and while any live inbox listens it reads again every interval
 * (Temporal visibility, then each action's state) and tells the listeners when the version changed.
 * Nobody listening: no polling at all.
 */
export class PendingReviews {
  private snapshot: PendingSnapshot | undefined;
  private refreshing: Promise<PendingSnapshot> | undefined;
  private readonly listeners = new Set<(version: string) => void>();
  private timer: NodeJS.Timeout | undefined;
  private readonly options: PendingReviewsOptions;

  constructor(
    private readonly actions: Pick<ActionsPort, 'list' | 'get'>,
    private readonly log: FastifyBaseLogger,
    options: Partial<PendingReviewsOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** The pending reviews as read at most `maxAgeMs` ago (half an interval by default), reading them again if older. */
  async current(maxAgeMs = this.options.intervalMs / 2): Promise<PendingSnapshot> {
    if (this.snapshot && Date.now() - this.snapshot.at <= maxAgeMs) return this.snapshot;
    return this.refresh();
  }

  /** Calls `listener` with each new version until the returned function is called. */
  subscribe(listener: (version: string) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get listening(): number {
    return this.listeners.size;
  }

  /** Stops polling and forgets the listeners (the API is closing). */
  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    const before = this.snapshot?.version;
    try {
      const now = await this.refresh();
      if (now.version === before) return;
      for (const listener of [...this.listeners]) listener(now.version);
    } catch (err) {
      // Temporal unreachable, say: the listeners keep the last list, and the next tick tries again.
      this.log.warn({ err }, 'console inbox: pending reviews could not be read');
    }
  }

  /** One read at a time: callers arriving while one runs share its result. */
  private refresh(): Promise<PendingSnapshot> {
    this.refreshing ??= this.read()
      .then((snapshot) => {
        this.snapshot = snapshot;
        return snapshot;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async read(): Promise<PendingSnapshot> {
    const summaries = await this.actions.list({ status: ActionStatus.PendingReview, ownTaskQueue: true, limit: this.options.limit });
    let unreadable = 0;
    const states: ActionState[] = [];
    await eachLimited(summaries, this.options.concurrency, async (summary) => {
      try {
        const read = await this.actions.get(summary.id);
        if (!read.live) unreadable += 1;
        else if (read.state.status === ActionStatus.PendingReview) states.push(read.state);
      } catch (err) {
        unreadable += 1;
        this.log.debug({ err, actionId: summary.id }, 'console inbox: a pending action could not be read');
      }
    });
    states.sort((a, b) => b.request.requestedAt.localeCompare(a.request.requestedAt) || a.actionId.localeCompare(b.actionId));
    return { at: Date.now(), states, unreadable, version: versionOf(states, unreadable) };
  }
}

/** What a reader of the inbox would see change: which actions, their votes, deadlines and escalation. */
export function versionOf(states: readonly ActionState[], unreadable = 0): string {
  const seen = states.map((state) => [
    state.actionId,
    state.status,
    state.deadline ?? null,
    state.escalation?.at ?? null,
    state.votes.map((vote) => `${vote.reviewer}:${vote.verdict}`),
  ]);
  return createHash('sha256')
    .update(JSON.stringify([seen, unreadable]))
    .digest('hex')
    .slice(0, 16);
}

/** Runs `work` on every item, at most `limit` at once. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
