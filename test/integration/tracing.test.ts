import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../telemetry/tracing';
import { eventually } from '../support/eventually';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { putObject, testS3 } from '../support/test-aws';

/**
 * One action followed across API, Temporal, workflow and activities to the AWS call: its spans
 * (an in-memory exporter on the provider API and worker share here) form one trace, each with the
 * parent it should have, none carries a credential or a param, and the API's log lines carry the
 * trace id.
 */
/** The AWS call's ancestors, itself first: the execution runs in the trace of the request that made the action. */
const EXECUTION_CHAIN = [
  'call s3.copyObject',
  'execute s3.copyObject',
  'RunActivity:executeOperation',
  'StartActivity:executeOperation',
  'RunWorkflow:privilegedAction',
  'UpdateWithStartWorkflow:admitted',
  'POST /v1/actions',
];

describe('tracing across processes', () => {
  const exporter = new InMemorySpanExporter();
  const logLines: Record<string, unknown>[] = [];
  let tracing: Tracing;
  let stack: Stack;
  const s3 = testS3();

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'airlock-test', exporter, batch: false });
    const bundle = await bundleWorkflows({ traced: true });
    stack = await startStack(bundle, { tracing, apiLogStream: { write: (line) => void logLines.push(JSON.parse(line) as Record<string, unknown>) } });
  });
  afterAll(async () => {
    await stack?.stop();
    await tracing?.shutdown();
    s3.destroy();
  });

  it('gives an auto-allowed action one trace from the HTTP request to the AWS call', async () => {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, `id\n${randomUUID()}\n`);
    const destinationKey = `traced/${randomUUID()}.csv`;
    const params = { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-scratch', destinationKey };
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', { action: 's3.copyObject', params, justification: 'Traced export' });
    expect(response.statusCode).toBe(202);
    const id = (response.json() as { id: string }).id;
    await eventually(async () => ((await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json() as { status: string }).status === 'succeeded', 30_000);

    // The AWS call of the execution, then everything up to the HTTP request that started it.
    const call = await eventually(() =>
      exporter.getFinishedSpans().find((span) => span.name === 'call s3.copyObject' && span.attributes['airlock.purpose'] === 'execute'),
    );
    const traceId = call.spanContext().traceId;
    // The workflow's own span ends with it, and leaves the sandbox through the sink after that task.
    await eventually(() => exporter.getFinishedSpans().some((span) => span.name === 'RunWorkflow:privilegedAction' && span.spanContext().traceId === traceId));
    const spans = exporter.getFinishedSpans();
    // Every span about the action is in the trace of the request that made it, but for the status
    // reads of the polls below it (each GET its own trace: query and describe, to the workflow's query handler).
    const ofAction = spans.filter((span) => span.attributes['airlock.action_id'] === id || JSON.stringify(span.attributes).includes(id));
    const roots = (span: ReadableSpan): string => ancestors(span, spans).at(-1)?.name ?? '';
    const [made, polled] = [ofAction.filter((span) => roots(span) === 'POST /v1/actions'), ofAction.filter((span) => roots(span) !== 'POST /v1/actions')];
    expect(new Set(made.map((span) => span.spanContext().traceId))).toEqual(new Set([traceId]));
    expect(made.length).toBeGreaterThan(10);
    expect(new Set(polled.map(roots))).toEqual(new Set(['GET /v1/actions/:id']));
    expect(new Set(polled.map((span) => span.name.replace(/:.*/, '')))).toEqual(new Set(['QueryWorkflow', 'HandleQuery', 'DescribeWorkflow']));

    const chain = ancestors(call, spans).map((span) => span.name);
    expect(chain).toEqual(EXECUTION_CHAIN);
    const inTrace = spans.filter((span) => span.spanContext().traceId === traceId);
    const names = inTrace.map((span) => span.name);
    expect(names).toEqual(expect.arrayContaining(['HandleUpdate:admitted', 'RunActivity:admitAction', 'preview s3.copyObject']));
    // The AssumeRole of the execution is a child of its step, beside the call.
    const step = inTrace.find((span) => span.name === 'execute s3.copyObject');
    expect(inTrace.some((span) => span.name === 'sts:AssumeRole' && span.parentSpanId === step?.spanContext().spanId)).toBe(true);
    expect(step?.attributes).toEqual({ 'airlock.action_id': id, 'airlock.operation': 's3.copyObject', 'airlock.purpose': 'execute' });

    // No credential moto issued, and no param value, in any span's name or attributes.
    const issued = stack.issuedSecrets();
    expect(issued.length).toBeGreaterThan(0);
    const text = JSON.stringify(inTrace.map((span) => [span.name, span.attributes, span.events, span.status]));
    for (const secret of issued) expect(text).not.toContain(secret);
    expect(text).not.toContain(sourceKey);
    expect(text).not.toContain(destinationKey);

    // The API's lines about the request carry the trace id.
    const lines = logLines.filter((line) => line.actionId === id);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines.filter(
      (candidate) => (candidate.req as { method?: string } | undefined)?.method === 'POST' || candidate.msg === 'request completed',
    )) {
      expect(typeof line.trace_id).toBe('string');
    }
    const completed = lines.find((line) => line.msg === 'request completed' && line.trace_id === traceId);
    expect(completed).toBeDefined();
  });

  it("keeps a reviewed action's execution in its submission's trace, and gives each vote a trace of its own", async () => {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, `id\n${randomUUID()}\n`);
    const params = { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey: `traced/${randomUUID()}.csv` };
    const created = await stack.call('etl-bot', 'POST', '/v1/actions', { action: 's3.copyObject', params, justification: 'Traced review' });
    const id = (created.json() as { id: string; status: string }).id;
    expect((created.json() as { status: string }).status).toBe('pending_review');
    expect((await stack.call('bob', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    const call = await eventually(() =>
      exporter
        .getFinishedSpans()
        .find((span) => span.name === 'call s3.copyObject' && span.attributes['airlock.action_id'] === id && span.attributes['airlock.purpose'] === 'execute'),
    );
    await eventually(() =>
      exporter.getFinishedSpans().some((span) => span.name === 'RunWorkflow:privilegedAction' && span.spanContext().traceId === call.spanContext().traceId),
    );
    const spans = exporter.getFinishedSpans();
    // The workflow runs, from submission to end, in the trace of the request that made it.
    expect(ancestors(call, spans).map((span) => span.name)).toEqual(EXECUTION_CHAIN);
    // The vote: its request, the Update it sends, and the workflow's handler of it.
    const handled = spans.find((span) => span.name === 'HandleUpdate:decide' && span.attributes.workflowId === id);
    expect(handled && ancestors(handled, spans).map((span) => span.name)).toEqual([
      'HandleUpdate:decide',
      'StartWorkflowUpdate:decide',
      'POST /v1/actions/:id/decisions',
    ]);
    expect(handled?.spanContext().traceId).not.toBe(call.spanContext().traceId);
    const text = JSON.stringify(spans.map((span) => [span.name, span.attributes, span.events, span.status]));
    for (const secret of stack.issuedSecrets()) expect(text).not.toContain(secret);
  });
});

/** The span and its parents, nearest first, as far as the spans go. */
function ancestors(span: ReadableSpan, spans: readonly ReadableSpan[]): ReadableSpan[] {
  const byId = new Map(spans.map((candidate) => [candidate.spanContext().spanId, candidate]));
  const chain: ReadableSpan[] = [];
  for (let current: ReadableSpan | undefined = span; current; current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined) {
    chain.push(current);
  }
  return chain;
}
