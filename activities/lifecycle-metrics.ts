import { Counter, Histogram, type Registry } from 'prom-client';
import { metricErrors } from '../telemetry/metric-errors';
import { AuditEventKind } from '../domain/audit-events';
import type { JsonObject } from '../domain/types';

/** An audit event as far as the lifecycle series need it (an event being stored, or one read back). */
export interface LifecycleEvent {
  kind: string;
  actionId: string;
  occurredAt: string;
  data: JsonObject;
}

export type LifecycleObservation =
  | { series: 'decision'; action: string; decision: string; seconds: number }
  | { series: 'approvalToExecution'; action: string; outcome: string; seconds: number }
  | { series: 'completed'; action: string; status: string };

/** The audit kinds that settle an action's fate; each action has at most one of them. */
const DECISIONS: Partial<Record<string, string>> = {
  [AuditEventKind.ActionApproved]: 'approved',
  [AuditEventKind.ActionRejected]: 'rejected',
  [AuditEventKind.ActionDenied]: 'denied',
  [AuditEventKind.ActionExpired]: 'expired',
  [AuditEventKind.ActionCancelled]: 'cancelled',
};

/** The audit kinds that end an action, with the final status they mean. */
const ENDINGS: Partial<Record<string, string>> = {
  [AuditEventKind.OperationSucceeded]: 'succeeded',
  [AuditEventKind.OperationFailed]: 'failed',
  [AuditEventKind.ActionFailed]: 'failed',
  [AuditEventKind.ActionDenied]: 'denied',
  [AuditEventKind.ActionRejected]: 'rejected',
  [AuditEventKind.ActionExpired]: 'expired',
  [AuditEventKind.ActionCancelled]: 'cancelled',
};

/** Whether an event feeds a lifecycle series (so the action's earlier events are worth reading). */
export function isLifecycleEvent(kind: string): boolean {
  return DECISIONS[kind] !== undefined || ENDINGS[kind] !== undefined;
}

/**
 * What newly stored events tell the lifecycle series, given their action's lineage (which
 * includes them). Durations are between the events' `occurredAt`, which is workflow time for
 * workflow events: the same clock at both ends, and the same on replay.
 */
export function lifecycleObservations(stored: LifecycleEvent[], lineage: LifecycleEvent[], known: ReadonlySet<string>): LifecycleObservation[] {
  const received = lineage.find((event) => event.kind === AuditEventKind.RequestReceived);
  const approved = lineage.find((event) => event.kind === AuditEventKind.ActionApproved);
  const named = received?.data.action;
  const action = typeof named === 'string' && known.has(named) ? named : 'unknown';
  const observations: LifecycleObservation[] = [];
  for (const event of stored) {
    const decision = DECISIONS[event.kind];
    const seconds = (from: LifecycleEvent | undefined): number | undefined => {
      const span = from ? Date.parse(event.occurredAt) - Date.parse(from.occurredAt) : NaN;
      return Number.isFinite(span) && span >= 0 ? span / 1000 : undefined;
    };
    const decisionSeconds = decision ? seconds(received) : undefined;
    if (decision && decisionSeconds !== undefined) observations.push({ series: 'decision', action, decision, seconds: decisionSeconds });
    const status = ENDINGS[event.kind];
    if (!status) continue;
    observations.push({ series: 'completed', action, status });
    const executionSeconds = event.kind === AuditEventKind.OperationSucceeded || event.kind === AuditEventKind.OperationFailed ? seconds(approved) : undefined;
    if (executionSeconds !== undefined) observations.push({ series: 'approvalToExecution', action, outcome: status, seconds: executionSeconds });
  }
  return observations;
}

/** Reviews take minutes to days; policy decisions take well under a second. */
const DECISION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 86_400, 3 * 86_400];
/** Execution is seconds for a copy, up to the hour an operation may run. */
const EXECUTION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/**
 * The workflow-lifecycle series, recorded by the worker's audit activity: an event is observed
 * the one time the audit store stores it (retried writes store nothing), never from workflow code.
 */
export class LifecycleMetrics {
  private readonly decision: Histogram<'action' | 'decision'>;
  private readonly approvalToExecution: Histogram<'action' | 'outcome'>;
  private readonly completed: Counter<'action' | 'status'>;
  private readonly errors: Counter<'series'>;
  private readonly known: ReadonlySet<string>;

  /** `actions`: the catalogue names, the only values the `action` label takes (else `unknown`). */
  constructor(registry: Registry, actions: readonly string[]) {
    this.known = new Set(actions);
    const registers = [registry];
    this.decision = new Histogram({
      name: 'airlock_decision_seconds',
      help: 'Time from the request being received to its decision (approved, rejected, denied, expired, cancelled)',
      labelNames: ['action', 'decision'],
      buckets: DECISION_BUCKETS,
      registers,
    });
    this.approvalToExecution = new Histogram({
      name: 'airlock_approval_to_execution_seconds',
      help: 'Time from approval to the end of the operation (outcome succeeded or failed)',
      labelNames: ['action', 'outcome'],
      buckets: EXECUTION_BUCKETS,
      registers,
    });
    this.completed = new Counter({
      name: 'airlock_actions_completed_total',
      help: 'Actions that reached a final status',
      labelNames: ['action', 'status'],
      registers,
    });
    this.errors = metricErrors(registry);
  }

  /**
   * Observes events stored for the first time, reading each concerned action's lineage once.
   * Never throws: a metric must not fail the audit write; a failure is counted instead.
   */
  async observe(stored: LifecycleEvent[], lineage: (actionId: string) => Promise<LifecycleEvent[]>): Promise<void> {
    const actionIds = new Set(stored.filter((event) => isLifecycleEvent(event.kind)).map((event) => event.actionId));
    for (const actionId of actionIds) {
      try {
        const own = stored.filter((event) => event.actionId === actionId);
        this.record(lifecycleObservations(own, await lineage(actionId), this.known));
      } catch {
        this.errors.inc({ series: 'lifecycle' }); // all three lifecycle series missed these events
      }
    }
  }

  record(observations: LifecycleObservation[]): void {
    for (const observation of observations) {
      if (observation.series === 'decision') {
        this.decision.observe({ action: observation.action, decision: observation.decision }, observation.seconds);
      } else if (observation.series === 'approvalToExecution') {
        this.approvalToExecution.observe({ action: observation.action, outcome: observation.outcome }, observation.seconds);
      } else {
        this.completed.inc({ action: observation.action, status: observation.status });
      }
    }
  }
}
