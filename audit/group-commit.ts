import type { AuditEventInput } from '../domain/audit-events';
import type { AuditRow } from './chain';
import type { AuditFilter, AuditStore, SealEvent } from './store';

/** One caller's append, waiting for the batch it joins to commit. */
interface Waiting {
  events: AuditEventInput[];
  seal: SealEvent;
  /** Events of this call the batch's transaction sealed, hence stored. */
  stored: number;
  resolve(stored: number): void;
  reject(err: unknown): void;
}

/**
 * Group commit over a store: appends from different callers that arrive together go in one of the
 * store's transactions, so one fsync (SQLite) or one commit (PostgreSQL) serves them all. Appends
 * wait for the next check phase of the event loop (setImmediate), or for the transaction in flight;
 * at most one transaction per store is in flight. The result each caller sees is what appending alone,
 * in queue order, would have given: the store still skips stored ids, and an id two callers of a
 * batch share is stored once, for the first. If the transaction fails, every caller in it gets the
 * error and none of its events is stored. A malformed event would fail the whole batch, so AuditLog
 * refuses it before it joins one (event-check.ts).
 */
export class GroupCommitStore implements AuditStore {
  readonly kind: string;
  private queue: Waiting[] = [];
  /** The flush scheduled or running; undefined when idle. */
  private flushing: Promise<void> | undefined;

  constructor(private readonly inner: AuditStore) {
    this.kind = inner.kind;
  }

  append(events: AuditEventInput[], seal: SealEvent): Promise<number> {
    if (events.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.queue.push({ events, seal, stored: 0, resolve, reject });
      this.schedule();
    });
  }

  page(filter: AuditFilter, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return this.inner.page(filter, afterSeq, limit);
  }

  /** Lets queued appends commit first, so a caller that closed without awaiting still gets its answer. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.inner.close();
  }

  /**
   * setImmediate, not a microtask: it runs after the poll phase has handled every I/O callback that
   * is ready (activity tasks, replies that arrived while a synchronous SQLite commit held the loop),
   * so their appends share one commit; a microtask would commit each callback's appends alone.
   */
  private schedule(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flush())
      .finally(() => {
        this.flushing = undefined;
        if (this.queue.length > 0) this.schedule();
      });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    // The store seals the first occurrence of each new id: it belongs to the first caller that sent it.
    const owners = new Map<string, Waiting>();
    for (const caller of batch) for (const event of caller.events) if (!owners.has(event.eventId)) owners.set(event.eventId, caller);
    const seal: SealEvent = (event, head) => {
      const owner = owners.get(event.eventId);
      if (!owner) throw new Error(`audit store sealed ${event.eventId}, which is not in the batch`);
      owner.stored += 1;
      return owner.seal(event, head);
    };
    const events = batch.flatMap((caller) => caller.events);
    try {
      await this.inner.append(events, seal);
    } catch (err) {
      for (const caller of batch) caller.reject(err);
      return;
    }
    for (const caller of batch) caller.resolve(caller.stored);
  }
}
