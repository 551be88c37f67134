import { randomUUID } from 'node:crypto';
import type { WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { countTemporalCalls } from '../support/temporal-calls';
import { putObject, readObject, testS3 } from '../support/test-aws';

/**
 * `GET /v1/actions/{id}?waitSeconds=` against the real Temporal dev server: the answer waits on
 * Temporal's long poll for the workflow's close, and comes with the status the action has then.
 */
describe('long poll on GET /v1/actions/{id}', () => {
  let bundle: WorkflowBundle;
  let stack: Stack;
  const s3 = testS3();
  const calls = countTemporalCalls();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    stack = await startStack(bundle, { clientInterceptors: [calls.interceptor] });
  });
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  /** A copy of a fresh object to `destinationBucket`, as `as` asks for it: 202 with the action. */
  async function requestCopy(destinationBucket: string, as = 'etl-bot') {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, `id\n${randomUUID()}\n`);
    const destinationKey = `long-poll/${randomUUID()}.csv`;
    const response = await stack.call(as, 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket, destinationKey },
      justification: 'The agent waits for this copy',
    });
    expect(response.statusCode).toBe(202);
    return { view: response.json(), destinationKey };
  }

  /** A GET that waits, with a flag telling whether it has answered yet. */
  function waitFor(id: string, waitSeconds: number, as = 'etl-bot') {
    const waiter = { answered: false, response: stack.call(as, 'GET', `/v1/actions/${id}?waitSeconds=${waitSeconds}`) };
    void waiter.response.then(
      () => (waiter.answered = true),
      () => (waiter.answered = true),
    );
    return waiter;
  }

  it('answers a waiter with the final status once the approving vote has let the action run', async () => {
    const { view, destinationKey } = await requestCopy('airlock-exports');
    expect(view.status).toBe('pending_review');
    const started = Date.now();
    const waiter = waitFor(view.id, 60);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(waiter.answered).toBe(false);

    const vote = await stack.call('alice', 'POST', `/v1/actions/${view.id}/decisions`, { decision: 'approve' });
    expect(vote.statusCode).toBe(200);
    calls.reset();
    const answer = await waiter.response;
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ id: view.id, status: 'succeeded', live: true, review: { approvals: ['alice'] } });
    // The final state came from the close event: no query, so no worker replayed the history for it.
    expect(calls.calls().filter((call) => call.kind === 'query')).toEqual([]);
    expect(answer.json().result.outputs.destination).toBe(`s3://airlock-exports/${destinationKey}`);
    // Generous: the answer came with the outcome, not when the 60 s ran out.
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(await readObject(s3, 'airlock-exports', destinationKey)).toContain('id');
  }, 90_000);

  it('answers pending_review when the seconds pass first', async () => {
    const { view } = await requestCopy('airlock-exports');
    const started = Date.now();
    const answer = await stack.call('etl-bot', 'GET', `/v1/actions/${view.id}?waitSeconds=1`);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ id: view.id, status: 'pending_review' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // it did wait
  });

  it("answers a cancel's waiter with cancelled", async () => {
    const { view } = await requestCopy('airlock-exports');
    const waiter = waitFor(view.id, 60);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await stack.call('etl-bot', 'POST', `/v1/actions/${view.id}/cancel`, { reason: 'no longer needed' })).statusCode).toBe(200);
    expect((await waiter.response).json()).toMatchObject({ status: 'cancelled', cancellation: { by: 'etl-bot', reason: 'no longer needed' } });
  }, 90_000);

  it('answers at once for an action that is already final', async () => {
    const { view: denied } = await requestCopy('airlock-elsewhere');
    expect(denied.status).toBe('denied');
    const { view: allowed } = await requestCopy('airlock-scratch');
    // Auto-allowed: the first wait sees it through execution, the second finds it closed.
    expect((await stack.call('etl-bot', 'GET', `/v1/actions/${allowed.id}?waitSeconds=60`)).json().status).toBe('succeeded');
    const started = Date.now();
    for (const id of [denied.id, allowed.id]) {
      const answer = await stack.call('etl-bot', 'GET', `/v1/actions/${id}?waitSeconds=60`);
      expect(answer.statusCode).toBe(200);
      expect(['denied', 'succeeded']).toContain(answer.json().status);
    }
    expect(Date.now() - started).toBeLessThan(30_000); // generous: neither waited its 60 s
  }, 120_000);

  it("hides another requester's action before waiting, and refuses a bad waitSeconds", async () => {
    const { view } = await requestCopy('airlock-exports');
    const hidden = await stack.call('other-bot', 'GET', `/v1/actions/${view.id}?waitSeconds=5`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.code).toBe('action_not_found');
    const bad = await stack.call('etl-bot', 'GET', `/v1/actions/${view.id}?waitSeconds=61`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid_request', issues: [{ path: 'query.waitSeconds' }] });
  });
});
