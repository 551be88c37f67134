import { randomUUID } from 'node:crypto';
import { eventually } from '../support/eventually';
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from '../support/otlp-collector';
import { ProcessStack } from '../support/process-stack';
import { putObject, testS3 } from '../support/test-aws';

const API = 'airlock-api-test';
const WORKER = 'airlock-worker-test';

/** The AWS call's ancestors, itself first, with the process each span comes from: the request's context crosses to the worker through Temporal. */
const EXECUTION_CHAIN = [
  ['call s3.copyObject', WORKER],
  ['execute s3.copyObject', WORKER],
  ['RunActivity:executeOperation', WORKER],
  ['StartActivity:executeOperation', WORKER],
  ['RunWorkflow:privilegedAction', WORKER],
  ['UpdateWithStartWorkflow:admitted', API],
  ['POST /v1/actions', API],
];

interface Printed {
  process: 'api' | 'worker';
  fields: Record<string, unknown>;
}

/**
 * One action followed across processes as in production: the API and the worker are separate OS
 * processes built from dist/, with their own Temporal dev server, each exporting its spans over
 * OTLP/HTTP (its own OTEL_SERVICE_NAME) to a local collector. The spans of the action, from both
 * processes, form one trace with the parents they should have, across the process boundary;
 * none carries a credential or a param; and both processes' log lines about the action carry its
 * trace id. test/integration/tracing.test.ts checks the same in one process, span by span.
 */
describe('tracing across API and worker processes', () => {
  let collector: OtlpCollector;
  let stack: ProcessStack;
  const printed: Printed[] = [];
  const s3 = testS3();

  beforeAll(async () => {
    collector = await startOtlpCollector();
    stack = await ProcessStack.start({
      // info: the API's `request completed` lines and the worker's activity lines.
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100', AIRLOCK_LOG_LEVEL: 'info' },
      processEnv: { api: { OTEL_SERVICE_NAME: API }, worker: { OTEL_SERVICE_NAME: WORKER } },
      onLine: (process, line, stream) => {
        if (stream === 'stdout' && line.startsWith('{')) printed.push({ process, fields: JSON.parse(line) as Record<string, unknown> });
      },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await collector?.stop();
    s3.destroy();
  });
  afterEach(() => expect(collector.refused()).toEqual([]));

  /** Each span of the trace with its parent in the trace, and one root: nothing lost between the processes. */
  function wholeTrace(traceId: string): CollectedSpan[] | undefined {
    const inTrace = collector.spans().filter((span) => span.traceId === traceId);
    const ids = new Set(inTrace.map((span) => span.spanId));
    const roots = inTrace.filter((span) => span.parentSpanId === undefined);
    const complete = roots.length === 1 && inTrace.every((span) => span.parentSpanId === undefined || ids.has(span.parentSpanId));
    return complete ? inTrace : undefined;
  }

  /** The action's execution once its whole trace has arrived from both processes. */
  async function executionTrace(id: string): Promise<{ call: CollectedSpan; inTrace: CollectedSpan[] }> {
    const call = await eventually(
      () =>
        collector
          .spans()
          .find(
            (span) => span.name === 'call s3.copyObject' && span.attributes['airlock.action_id'] === id && span.attributes['airlock.purpose'] === 'execute',
          ),
      30_000,
    );
    // The workflow's span ends last, with the workflow; the API's ended with the response.
    const inTrace = await eventually(() => {
      const spans = wholeTrace(call.traceId);
      return spans?.some((span) => span.name === 'RunWorkflow:privilegedAction') && spans;
    });
    return { call, inTrace };
  }

  it('gives an auto-allowed action one trace from the API process to the AWS call in the worker process', async () => {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, `id\n${randomUUID()}\n`);
    const destinationKey = `traced/${randomUUID()}.csv`;
    const params = { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-scratch', destinationKey };
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', { action: 's3.copyObject', params, justification: 'Traced across processes' });
    expect(response.statusCode).toBe(202);
    const id = (response.json() as { id: string }).id;
    await eventually(async () => ((await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json() as { status: string }).status === 'succeeded', 30_000);

    const { call, inTrace } = await executionTrace(id);
    const traceId = call.traceId;
    expect(ancestors(call, inTrace).map((span) => [span.name, span.service])).toEqual(EXECUTION_CHAIN);
    // The trace holds the spans of both processes, each span from the process that did the work.
    expect(new Set(inTrace.map((span) => span.service))).toEqual(new Set([API, WORKER]));
    const serviceOf = (name: string) => new Set(inTrace.filter((span) => span.name === name).map((span) => span.service));
    expect(serviceOf('HandleUpdate:admitted')).toEqual(new Set([WORKER]));
    for (const activity of ['admitAction', 'executeOperation']) {
      expect(serviceOf(`RunActivity:${activity}`)).toEqual(new Set([WORKER]));
    }
    expect(inTrace.find((span) => span.parentSpanId === undefined)).toMatchObject({ name: 'POST /v1/actions', service: API, kind: 2 });
    // The API's client span is the parent the worker took from the Temporal headers: of the workflow, and of its admission Update.
    const started = inTrace.find((span) => span.name === 'UpdateWithStartWorkflow:admitted');
    const startedChildren = inTrace.filter((span) => span.parentSpanId === started?.spanId).map((span) => `${span.name} ${span.service}`);
    expect(startedChildren.sort()).toEqual([`HandleUpdate:admitted ${WORKER}`, `RunWorkflow:privilegedAction ${WORKER}`]);
    // Each status read is a trace of its own, from its GET on the API to the worker's handler of its query.
    // (Every read queries the workflow, so at least the last one, after the action succeeded, has a handler.)
    const reads = await eventually(() => {
      const about = collector.spans().filter((span) => span.traceId !== traceId && JSON.stringify(span.attributes).includes(id));
      const traces = [...new Set(about.map((span) => span.traceId))].map(wholeTrace).filter((spans) => spans !== undefined);
      const arrived = traces.length === new Set(about.map((span) => span.traceId)).size;
      return arrived && traces.some((spans) => spans.some((span) => span.name === 'HandleQuery:status')) && traces;
    });
    for (const read of reads) {
      expect(read.find((span) => span.parentSpanId === undefined)).toMatchObject({ name: 'GET /v1/actions/:id', service: API });
      for (const handler of read.filter((span) => span.service === WORKER)) {
        expect(ancestors(handler, read).map((span) => [span.name, span.service])).toEqual([
          ['HandleQuery:status', WORKER],
          ['QueryWorkflow:status', API],
          ['GET /v1/actions/:id', API],
        ]);
      }
    }

    // No credential moto issued, and no param value, in anything either process exported.
    const issued = stack.proxy.issuedSecrets();
    expect(issued.length).toBeGreaterThan(0);
    const exported = collector.bodies().join('\n');
    expect(exported).toContain(id);
    for (const secret of issued) expect(exported).not.toContain(secret);
    expect(exported).not.toContain(sourceKey);
    expect(exported).not.toContain(destinationKey);

    // Both processes' log lines about the action carry the trace id.
    const lines = (process: Printed['process']) => printed.filter((line) => line.process === process && line.fields.actionId === id).map((line) => line.fields);
    // The API: the submission's `request completed` line, and every other line about the action
    // (the reads'), each with the trace id of its own request.
    const submitted = await eventually(() => lines('api').find((line) => line.msg === 'request completed' && line.trace_id === traceId));
    expect(submitted.res).toEqual({ statusCode: 202 });
    expect(lines('api').filter((line) => typeof line.trace_id !== 'string' || !/^[0-9a-f]{32}$/.test(line.trace_id))).toEqual([]);
    // The worker: every line of the action's activities, to the last (the execution's outcome). The
    // SDK's own `Activity started`/`completed` lines (debug) are written outside the activity's span.
    await eventually(() => lines('worker').some((line) => line.msg === 'operation succeeded'));
    const activityLines = lines('worker').filter((line) => line.sdkComponent === 'activity');
    expect(new Set(activityLines.map((line) => line.activityType))).toEqual(new Set(['admitAction', 'executeOperation']));
    expect(activityLines.filter((line) => line.trace_id !== traceId)).toEqual([]);
    // And the span a worker line names is one of the trace's, in the worker.
    const session = activityLines.find((line) => line.msg === 'assumed one-shot execute session');
    expect(inTrace.find((span) => span.spanId === session?.span_id)?.service).toBe(WORKER);
  });

  it("keeps a reviewed action's execution in its submission's trace across processes, and gives the vote a trace of its own", async () => {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, `id\n${randomUUID()}\n`);
    const params = { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey: `traced/${randomUUID()}.csv` };
    const created = await stack.call('etl-bot', 'POST', '/v1/actions', { action: 's3.copyObject', params, justification: 'Traced review across processes' });
    expect(created.statusCode).toBe(202);
    const { id, status } = created.json() as { id: string; status: string };
    expect(status).toBe('pending_review');
    expect((await stack.call('bob', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);

    const { call, inTrace } = await executionTrace(id);
    expect(ancestors(call, inTrace).map((span) => [span.name, span.service])).toEqual(EXECUTION_CHAIN);
    // The vote: its request and the Update it sends in the API, the workflow's handler of it in the worker.
    const handled = await eventually(() => collector.spans().find((span) => span.name === 'HandleUpdate:decide' && span.attributes.workflowId === id));
    const vote = await eventually(() => wholeTrace(handled.traceId));
    expect(ancestors(handled, vote).map((span) => [span.name, span.service])).toEqual([
      ['HandleUpdate:decide', WORKER],
      ['StartWorkflowUpdate:decide', API],
      ['POST /v1/actions/:id/decisions', API],
    ]);
    expect(handled.traceId).not.toBe(call.traceId);
    const exported = collector.bodies().join('\n');
    for (const secret of stack.proxy.issuedSecrets()) expect(exported).not.toContain(secret);
    expect(exported).not.toContain(sourceKey);

    // The vote's API lines carry the vote's trace id, the execution's worker lines the submission's.
    await eventually(() =>
      printed.some(
        (line) => line.process === 'api' && line.fields.actionId === id && line.fields.msg === 'request completed' && line.fields.trace_id === handled.traceId,
      ),
    );
    const executed = await eventually(() =>
      printed.find((line) => line.process === 'worker' && line.fields.actionId === id && line.fields.msg === 'assumed one-shot execute session'),
    );
    expect(executed.fields.trace_id).toBe(call.traceId);
  });
});

/** The span and its parents, nearest first, as far as the spans go. */
function ancestors(span: CollectedSpan, spans: readonly CollectedSpan[]): CollectedSpan[] {
  const byId = new Map(spans.map((candidate) => [candidate.spanId, candidate]));
  const chain: CollectedSpan[] = [];
  for (let current: CollectedSpan | undefined = span; current; current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined) {
    chain.push(current);
  }
  return chain;
}
