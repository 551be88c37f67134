import { Registry } from 'prom-client';
import { createAuditActivities } from '../../../activities/audit';
import { LifecycleMetrics, lifecycleObservations, type LifecycleEvent } from '../../../activities/lifecycle-metrics';
import { AuditLog } from '../../../audit/audit-log';
import { SqliteAuditStore } from '../../../audit/sqlite-store';
import type { AuditEventInput } from '../../../domain/audit-events';
import { parsePrometheusText, sumOf } from '../../support/prometheus-text';

const KNOWN = new Set(['s3.copyObject']);
const ID = 'action-s3.copyObject-aaaaaaaaaaaaaaaa';

function event(n: number, kind: string, at: string, data: AuditEventInput['data'] = {}): AuditEventInput {
  return { eventId: `${ID}/run/${n}`, kind: kind as AuditEventInput['kind'], actionId: ID, actor: 'airlock', occurredAt: at, data };
}

const received = event(1, 'request.received', '2026-01-01T10:00:00.000Z', { action: 's3.copyObject' });
const approved = event(2, 'action.approved', '2026-01-01T10:05:00.000Z', { by: 'quorum' });
const started = event(3, 'execution.started', '2026-01-01T10:05:00.000Z');
const succeeded = event(4, 'operation.succeeded', '2026-01-01T10:05:02.500Z');

describe('lifecycleObservations', () => {
  it('times the decision from the request, and the execution from the approval', () => {
    const lineage: LifecycleEvent[] = [received, approved, started, succeeded];
    expect(lifecycleObservations([approved], lineage, KNOWN)).toEqual([{ series: 'decision', action: 's3.copyObject', decision: 'approved', seconds: 300 }]);
    expect(lifecycleObservations([started, succeeded], lineage, KNOWN)).toEqual([
      { series: 'completed', action: 's3.copyObject', status: 'succeeded' },
      { series: 'approvalToExecution', action: 's3.copyObject', outcome: 'succeeded', seconds: 2.5 },
    ]);
  });

  it('counts a denial, a rejection, an expiry and a cancel as both a decision and an end', () => {
    for (const [kind, status] of [
      ['action.denied', 'denied'],
      ['action.rejected', 'rejected'],
      ['action.expired', 'expired'],
      ['action.cancelled', 'cancelled'],
    ]) {
      const closing = event(2, kind as string, '2026-01-01T10:00:01.000Z');
      expect(lifecycleObservations([closing], [received, closing], KNOWN)).toEqual([
        { series: 'decision', action: 's3.copyObject', decision: status, seconds: 1 },
        { series: 'completed', action: 's3.copyObject', status },
      ]);
    }
  });

  it('labels an action outside the catalogue as unknown, and skips a duration it cannot measure', () => {
    const odd = { ...received, data: { action: 'made.up' } };
    const failed = event(5, 'action.failed', '2026-01-01T10:00:01.000Z');
    expect(lifecycleObservations([failed], [odd, failed], KNOWN)).toEqual([{ series: 'completed', action: 'unknown', status: 'failed' }]);
    // An approval with no request on record (workflows from before the audit trail): no decision time.
    expect(lifecycleObservations([approved], [approved], KNOWN)).toEqual([]);
  });
});

describe('recordAuditEvents with metrics', () => {
  it('observes each event once, however often its write is retried', async () => {
    const registry = new Registry();
    const audit = new AuditLog(new SqliteAuditStore(':memory:'));
    const { recordAuditEvents } = createAuditActivities(audit, new LifecycleMetrics(registry, [...KNOWN]));
    try {
      await recordAuditEvents({ events: [received] });
      expect(await recordAuditEvents({ events: [approved] })).toEqual({ added: 1 });
      expect(await recordAuditEvents({ events: [approved] })).toEqual({ added: 0 }); // a retry after a lost reply
      await recordAuditEvents({ events: [started, succeeded] });
      await recordAuditEvents({ events: [started, succeeded] });
      const samples = parsePrometheusText(await registry.metrics());
      expect(sumOf(samples, 'airlock_decision_seconds_count', { action: 's3.copyObject', decision: 'approved' })).toBe(1);
      expect(sumOf(samples, 'airlock_decision_seconds_sum')).toBe(300);
      expect(sumOf(samples, 'airlock_approval_to_execution_seconds_count', { outcome: 'succeeded' })).toBe(1);
      expect(sumOf(samples, 'airlock_approval_to_execution_seconds_sum')).toBe(2.5);
      expect(sumOf(samples, 'airlock_actions_completed_total', { action: 's3.copyObject', status: 'succeeded' })).toBe(1);
    } finally {
      await audit.close();
    }
  });

  it('stores the events and counts the miss when the lineage cannot be read', async () => {
    const registry = new Registry();
    const metrics = new LifecycleMetrics(registry, [...KNOWN]);
    await metrics.observe([approved], () => Promise.reject(new Error('store down')));
    await metrics.observe([started], () => Promise.reject(new Error('not read: no lifecycle event')));
    const samples = parsePrometheusText(await registry.metrics());
    expect(sumOf(samples, 'airlock_metrics_collect_errors_total', { series: 'lifecycle' })).toBe(1);
    expect(sumOf(samples, 'airlock_decision_seconds_count')).toBe(0);
  });
});
