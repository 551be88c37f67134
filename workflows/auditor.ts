import { proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AuditEventInput, AuditEventKind } from '../domain/audit-events';
import type { JsonObject } from '../domain/types';

/**
 * A local activity: the worker's own audit store, written inside the workflow task that recorded
 * the events (one marker in history, no task round trip). Retried until the store answers: an
 * action does not move on with its story unwritten (no audit, no execution). Events carry stable
 * ids, so a retry never writes one twice. Past a minute of retries the SDK backs off with a
 * durable timer instead of holding the workflow task open.
 */
const { recordAuditEvents } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  localRetryThreshold: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * The action's audit trail as the workflow writes it. `record()` only numbers and queues an event;
 * `flushed()` writes everything queued in one local activity, after any write already under way,
 * so the trail keeps the order of recording. The workflow flushes where it must: before it answers
 * an Update, before any credential can exist (write-ahead), before it waits, and at the end. Event
 * ids are `<workflow id>/<run id>/<n>`: the same on replay and on retry, new after a reset.
 */
export class Auditor {
  private counter = 0;
  private pending: AuditEventInput[] = [];
  private written: Promise<void> = Promise.resolve();

  /** Queues one event; nothing is stored until `flushed()`. */
  record(kind: AuditEventKind, actor: string, data: JsonObject): void {
    this.pending.push(this.numbered(kind, actor, data));
  }

  /**
   * Numbers an event that a local activity stores itself, in its place in the trail (the request,
   * which admission writes in the same local activity that verifies and decides on it).
   */
  numbered(kind: AuditEventKind, actor: string, data: JsonObject): AuditEventInput {
    return { eventId: this.reserveId(), kind, actionId: workflowInfo().workflowId, actor, occurredAt: new Date(Date.now()).toISOString(), data };
  }

  /** The next event id, for an event an activity builds and stores itself (the execution's result). */
  reserveId(): string {
    const info = workflowInfo();
    this.counter += 1;
    return `${info.workflowId}/${info.runId}/${this.counter}`;
  }

  /** `count` ids in a row, for events a local activity numbers itself (admission's outcome). */
  reserveIds(count: number): string[] {
    return Array.from({ length: count }, () => this.reserveId());
  }

  /**
   * Gives back the ids reserved last that went unused, so the next event takes the first of them
   * and the numbering stays without gaps. Only the last ids reserved can be given back.
   */
  release(ids: readonly string[]): void {
    const last = ids.at(-1);
    if (last === undefined) return;
    const info = workflowInfo();
    if (last !== `${info.workflowId}/${info.runId}/${this.counter}`) throw new Error(`${last} is not the last id reserved: it cannot be given back`);
    this.counter -= ids.length;
  }

  /** Queues an event under an id reserved earlier: if its activity stored it already, the store skips it. */
  recordReserved(event: AuditEventInput): void {
    this.pending.push(event);
  }

  /** Settles when every event recorded so far is stored. */
  flushed(): Promise<void> {
    if (this.pending.length > 0) {
      const events = this.pending;
      this.pending = [];
      this.written = this.written.then(async () => {
        await recordAuditEvents({ events });
      });
    }
    return this.written;
  }

  /** `value` once everything recorded so far is stored. */
  after<T>(value: T): Promise<T> {
    return this.flushed().then(() => value);
  }
}
