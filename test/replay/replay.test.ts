import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows } from '../support/stack';
import { trace } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Tracing } from '../../telemetry/tracing';
import { workerTracingOptions } from '../../workers/worker-tracing';

/**
 * Recorded histories (npm run record-histories) replayed through the current workflow code:
 * a change that breaks determinism for in-flight actions fails here. Histories live in sets,
 * one per recording; older sets are kept so new code is proven against what is already running.
 */
const HISTORIES_DIR = join(__dirname, 'histories');
const histories = readdirSync(HISTORIES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((set) =>
    readdirSync(join(HISTORIES_DIR, set.name))
      .filter((file) => file.endsWith('.json'))
      .map((file) => `${set.name}/${file}`),
  )
  .sort();

describe('replay of recorded histories', () => {
  let bundle: WorkflowBundle;
  /** Each history's replay error (undefined when it replayed), from one replay worker for all of them. */
  const outcomes = new Map<string, Error | undefined>();
  /** The same through a bundle with the OpenTelemetry workflow interceptors (tracing on), which only add headers and spans. */
  const tracedOutcomes = new Map<string, Error | undefined>();
  beforeAll(async () => {
    bundle = await bundleWorkflows();
    const inputs = histories.map((path) => ({ workflowId: path, history: readHistory(path) }));
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, inputs)) {
      outcomes.set(result.workflowId, result.error);
    }
    const traced = { workflowBundle: await bundleWorkflows({ traced: true }), ...workerTracingOptions(replayTracing()) };
    for await (const result of Worker.runReplayHistories(traced, inputs)) {
      tracedOutcomes.set(result.workflowId, result.error);
    }
  });

  it('has histories for every final state, for Slack and callback deliveries, and for reminders and escalation', () => {
    const names = histories.map((path) => path.replace(/^.*\//, '').replace(/\.json$/, ''));
    expect(names).toEqual(
      expect.arrayContaining([
        'approved-quorum-2',
        'auto-allowed',
        'cancelled',
        'denied',
        'expired',
        'rejected',
        'refused-votes',
        'slack-approved',
        'slack-rejected',
        'slack-channel-failed',
        'callback-delivered',
        'slack-escalated',
        'reminded-expired',
      ]),
    );
  });

  it.each(histories)('replays %s without nondeterminism', (path) => {
    expect(readHistory(path).events.length).toBeGreaterThan(5);
    expect(outcomes.has(path)).toBe(true);
    expect(outcomes.get(path)).toBeUndefined();
  });

  it.each(histories)('replays %s with the tracing interceptors in the bundle', (path) => {
    expect(tracedOutcomes.has(path)).toBe(true);
    expect(tracedOutcomes.get(path)).toBeUndefined();
  });

  it('fails when the workflow code changes incompatibly', async () => {
    const incompatible = await bundleWorkflowCode({
      workflowsPath: require.resolve('../fixtures/incompatible-workflow'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const denied = histories.find((path) => path.endsWith('/denied.json')) ?? 'missing';
    await expect(Worker.runReplayHistory({ workflowBundle: incompatible }, readHistory(denied), 'denied')).rejects.toBeInstanceOf(DeterminismViolationError);
    // And the batch replay above reports it too, rather than passing it over.
    const batch: (Error | undefined)[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: incompatible }, [{ workflowId: 'denied', history: readHistory(denied) }])) {
      batch.push(result.error);
    }
    expect(batch).toEqual([expect.any(DeterminismViolationError)]);
  });
});

/** A tracer provider's parts for the replay worker's sink; spans of a replay are not exported anyway. */
function replayTracing(): Tracing {
  const spanProcessor = new SimpleSpanProcessor(new InMemorySpanExporter());
  return { tracer: trace.getTracer('replay'), resource: Resource.default(), spanProcessor, shutdown: () => spanProcessor.shutdown() };
}

/** The exported JSON as the CLI wrote it; the worker converts it to protobuf itself. */
function readHistory(path: string): { events: unknown[] } {
  return JSON.parse(readFileSync(join(HISTORIES_DIR, path), 'utf8'));
}
