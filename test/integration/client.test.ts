import { randomUUID } from 'node:crypto';
import type { WorkflowBundle } from '@temporalio/worker';
import { AirlockApiError, AirlockClient, type ActionRequest } from '../../client';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { putObject, readObject, testS3 } from '../support/test-aws';

/** The client library as an agent uses it, against the real API, Temporal dev server and moto. */
describe('AirlockClient against the stack', () => {
  let bundle: WorkflowBundle;
  let stack: Stack;
  let agent: AirlockClient;
  const s3 = testS3();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    stack = await startStack(bundle);
    agent = new AirlockClient({ baseUrl: stack.baseUrl, apiKey: stack.keys['etl-bot'] ?? '' });
  });
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  /** A copy of a fresh object; test/fixtures/policy.yaml sends copies to airlock-exports to review. */
  async function copy(destinationBucket = 'airlock-exports'): Promise<{ request: ActionRequest; destinationKey: string; body: string }> {
    const sourceKey = `src/${randomUUID()}.csv`;
    const body = `id\n${randomUUID()}\n`;
    await putObject(s3, 'airlock-src', sourceKey, body);
    const destinationKey = `client/${randomUUID()}.csv`;
    return {
      request: {
        action: 's3.copyObject',
        params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket, destinationKey },
        justification: 'The agent needs this copy for the report',
        context: { ticket: 'FIN-123' },
      },
      destinationKey,
      body,
    };
  }

  it("lists the catalogue, with what the test policy makes of this agent's requests", async () => {
    const entries = await agent.listActions();
    const byName = Object.fromEntries(entries.map((entry) => [entry.name, entry]));
    expect(byName['s3.copyObject']).toMatchObject({ title: 'Copy an S3 object', idempotent: true, review: 'depends_on_params' });
    expect(byName['s3.copyObject']?.paramsSchema).toMatchObject({
      type: 'object',
      required: ['sourceBucket', 'sourceKey', 'destinationBucket', 'destinationKey'],
    });
    expect(byName['s3.exportPrefix']?.review).toBe('depends_on_params');
    expect(byName['ec2.runInstances']?.review).toBe('denied');
  });

  it('requests an action and waits for its outcome while a reviewer approves it through the API', async () => {
    const { request, destinationKey, body } = await copy();
    const created = await agent.request(request);
    expect(created).toMatchObject({ status: 'pending_review', requester: { id: 'etl-bot', source: 'api' }, context: { ticket: 'FIN-123' } });

    const outcome = agent.waitForOutcome(created.id, { timeoutSeconds: 60 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const vote = await stack.call('alice', 'POST', `/v1/actions/${created.id}/decisions`, { decision: 'approve', comment: 'fine' });
    expect(vote.statusCode).toBe(200);
    const done = await outcome;
    expect(done).toMatchObject({ id: created.id, status: 'succeeded', review: { approvals: ['alice'] } });
    expect(await readObject(s3, 'airlock-exports', destinationKey)).toBe(body);
  }, 90_000);

  it('returns a still-pending action when the wait runs out', async () => {
    const created = await agent.request((await copy()).request);
    const view = await agent.waitForOutcome(created.id, { timeoutSeconds: 1 });
    expect(view).toMatchObject({ id: created.id, status: 'pending_review' });
  });

  it('cancels a pending action', async () => {
    const created = await agent.request((await copy()).request);
    const cancelled = await agent.cancel(created.id, { reason: 'no longer needed' });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancellation: { by: 'etl-bot', reason: 'no longer needed' } });
    expect((await agent.get(created.id)).status).toBe('cancelled');
  });

  it('raises invalid params as AirlockApiError invalid_params, naming the field', async () => {
    const { request } = await copy();
    const { destinationKey: _missing, ...params } = request.params;
    const error = await agent.request({ ...request, params }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AirlockApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_params' });
    expect((error as AirlockApiError).issues?.map((issue) => issue.path)).toContain('params.destinationKey');
  });

  it('makes a request once when it is retried with the same idempotency key', async () => {
    const { request } = await copy();
    const idempotencyKey = `client-test-${randomUUID()}`;
    const first = await agent.request(request, { idempotencyKey });
    const again = await agent.request(request, { idempotencyKey });
    expect(again.id).toBe(first.id);
    expect(again.requestedAt).toBe(first.requestedAt);
  });
});
