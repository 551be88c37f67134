import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ActionState } from '../../domain/types';
import { eventually } from '../support/eventually';
import { ProcessStack } from '../support/process-stack';
import { parsePrometheusText, samplesOf, sumOf, type Sample } from '../support/prometheus-text';
import { putObject, testS3 } from '../support/test-aws';

const POLICY_FILE = join(__dirname, '..', 'fixtures', 'policy-operators.yaml');
const COPY = { action: 's3.copyObject' };

/**
 * Both /metrics endpoints of Airlock as it runs in production (worker and API as processes), read
 * before and after one reviewed copy: the request is counted by its outcome, the pending gauge
 * goes 0 → 1 → 0, the decision and the approval-to-execution histograms each gain exactly one
 * observation, and the worker's endpoint carries the Temporal SDK runtime's own series.
 */
describe('metrics', () => {
  let stack: ProcessStack;
  const s3 = testS3();

  beforeAll(async () => {
    stack = await ProcessStack.start({ policyFile: POLICY_FILE, workerMetrics: true });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  async function apiMetrics(): Promise<Sample[]> {
    const response = await stack.call(null, 'GET', '/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    return parsePrometheusText(response.text);
  }

  async function workerMetrics(): Promise<{ samples: Sample[]; text: string }> {
    const response = await fetch(stack.workerMetricsUrl ?? 'the stack serves no worker metrics');
    expect(response.status).toBe(200);
    const text = await response.text();
    return { samples: parsePrometheusText(text), text };
  }

  /** The pending gauge for copies once visibility shows `expected` (it lags the workflow a little). */
  async function pendingCopiesReach(expected: number): Promise<void> {
    await eventually(async () => {
      const pending = samplesOf(await apiMetrics(), 'airlock_actions_pending', COPY);
      return pending.length === 1 && pending[0]?.value === expected;
    }, 30_000);
  }

  it('counts a reviewed copy from request to execution', async () => {
    await pendingCopiesReach(0);
    const apiBefore = await apiMetrics();
    const workerBefore = (await workerMetrics()).samples;
    // Every catalogue action has its own pending sample, zero included.
    expect(samplesOf(apiBefore, 'airlock_actions_pending').map((sample) => sample.labels.action)).toEqual(
      expect.arrayContaining(['s3.copyObject', 's3.exportPrefix', 'iam.putRolePolicy', 'ec2.runInstances']),
    );

    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, `id\n${randomUUID()}\n`);
    const submitted = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey: `metrics/${randomUUID()}.csv` },
      justification: 'Metrics test',
    });
    expect(submitted.statusCode).toBe(202);
    const id: string = submitted.json().id;
    expect(submitted.json().status).toBe('pending_review');
    // A refusal is counted under its error code, and a name outside the catalogue as `unknown`.
    const refused = await stack.call('etl-bot', 'POST', '/v1/actions', { action: 'rm.everything', params: {}, justification: 'Not in the catalogue' });
    expect(refused.statusCode).toBe(400);

    const apiDuring = await apiMetrics();
    const requests = (samples: Sample[], labels: Record<string, string>) => sumOf(samples, 'airlock_action_requests_total', labels);
    expect(requests(apiDuring, { ...COPY, outcome: 'pending_review' })).toBe(requests(apiBefore, { ...COPY, outcome: 'pending_review' }) + 1);
    expect(requests(apiDuring, { action: 'unknown', outcome: 'unknown_action' })).toBe(
      requests(apiBefore, { action: 'unknown', outcome: 'unknown_action' }) + 1,
    );
    expect(samplesOf(apiDuring, 'airlock_action_requests_total', { action: 'rm.everything' })).toEqual([]);
    await pendingCopiesReach(1);

    const approved = await stack.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' });
    expect(approved.statusCode).toBe(200);
    const result = await stack.client.workflow.getHandle<() => Promise<ActionState>>(id).result();
    expect(result.status).toBe('succeeded');
    await pendingCopiesReach(0);

    // The workflow stores its audit events before it completes, and the worker observes them as
    // they are stored: after the result, every observation is in.
    const { samples: workerAfter, text } = await workerMetrics();
    const delta = (name: string, labels: Record<string, string>) => sumOf(workerAfter, name, labels) - sumOf(workerBefore, name, labels);
    expect(delta('airlock_decision_seconds_count', { ...COPY, decision: 'approved' })).toBe(1);
    expect(delta('airlock_decision_seconds_count', {})).toBe(1);
    expect(delta('airlock_approval_to_execution_seconds_count', { ...COPY, outcome: 'succeeded' })).toBe(1);
    expect(delta('airlock_approval_to_execution_seconds_count', {})).toBe(1);
    expect(delta('airlock_actions_completed_total', { ...COPY, status: 'succeeded' })).toBe(1);
    expect(sumOf(workerAfter, 'airlock_decision_seconds_sum', COPY)).toBeGreaterThan(0);

    // The Temporal SDK runtime's own series, appended by the worker's endpoint.
    expect(sumOf(workerAfter, 'temporal_workflow_completed')).toBeGreaterThanOrEqual(1);
    expect(samplesOf(workerAfter, 'temporal_activity_execution_latency_count').length).toBeGreaterThan(0);
    expect(samplesOf(workerAfter, 'process_resident_memory_bytes')).toHaveLength(1);
    // One exposition: no metric family is declared twice.
    const families = text
      .split('\n')
      .filter((line) => line.startsWith('# TYPE '))
      .map((line) => line.split(' ')[2]);
    expect(new Set(families).size).toBe(families.length);
  });
});
