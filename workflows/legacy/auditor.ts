import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { AuditEventInput, AuditEventKind } from '../../domain/audit-events';
import type { JsonObject } from '../../domain/types';

/**
 * Retried until the store answers: an action does not move on with its story unwritten (no
 * audit, no execution). Events carry stable ids, so a retry never writes one twice.
 */
const { recordAuditEvents } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * Release 0.1.0's auditor (see ./privileged-action.ts). Writes the action's audit events, in the order the workflow records them, through the
 * `recordAuditEvents` activity. Events recorded while a write is in flight go together in the
 * next one, so a burst costs one activity. Event ids are `<workflow id>/<run id>/<n>`: the same
 * on replay and on retry, new after a reset (a new run really does new things).
 */
export class Auditor {
  private counter = 0;
  private pending: AuditEventInput[] = [];
  private flushing: Promise<void> | undefined;

  /** Queues one event and starts writing it; `flushed()` tells when it is stored. */
  record(kind: AuditEventKind, actor: string, data: JsonObject): void {
    const info = workflowInfo();
    this.counter += 1;
    this.pending.push({
      eventId: `${info.workflowId}/${info.runId}/${this.counter}`,
      kind,
      actionId: info.workflowId,
      actor,
      occurredAt: new Date(Date.now()).toISOString(),
      data,
    });
    void this.flushed(); // awaited at the workflow's write-ahead points and before it ends
  }

  /** Settles when every event recorded so far is stored. */
  flushed(): Promise<void> {
    if (this.pending.length > 0) this.flushing ??= this.drain();
    return this.flushing ?? Promise.resolve();
  }

  /** `value` once everything recorded so far is stored. */
  after<T>(value: T): Promise<T> {
    return this.flushed().then(() => value);
  }

  /** Writes batches until none is left; a batch recorded meanwhile joins this drain. */
  private async drain(): Promise<void> {
    try {
      await Promise.resolve(); // events recorded in the same step join the first batch
      while (this.pending.length > 0) {
        const events = this.pending;
        this.pending = [];
        await recordAuditEvents({ events });
      }
    } finally {
      this.flushing = undefined; // synchronously at the end, so a later record starts a new drain
    }
  }
}
