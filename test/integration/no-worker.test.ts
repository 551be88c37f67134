import { randomUUID } from 'node:crypto';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { putObject, readObject, testS3 } from '../support/test-aws';

/** With no worker running, a request is still accepted durably and proceeds once one starts. */
describe('requests while no worker runs', () => {
  let stack: Stack;
  const s3 = testS3();
  beforeAll(async () => {
    stack = await startStack(await bundleWorkflows(), { worker: false, admissionTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  it('answers 202 evaluating without waiting, then reviews and executes once a worker starts', async () => {
    const sourceKey = `src/${randomUUID()}.csv`;
    const destinationKey = `reports/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, 'late,but,safe\n');
    const created = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey },
      justification: 'Requested while the workers were being deployed',
    });
    expect(created.statusCode).toBe(202);
    expect(created.json()).toMatchObject({ status: 'evaluating', policy: null });

    const run = await stack.client.workflow.getHandle(created.json().id).describe();
    expect(run.status.name).toBe('RUNNING');
    const read = await stack.call('etl-bot', 'GET', `/v1/actions/${created.json().id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ status: 'evaluating', live: false, justification: 'Requested while the workers were being deployed' });

    await stack.startWorker();
    const id = created.json().id;
    let status = 'evaluating';
    for (const deadline = Date.now() + 30_000; status !== 'pending_review' && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json().status;
    }
    expect(status).toBe('pending_review');
    expect((await stack.call('bob', 'GET', `/v1/actions/${id}`)).json().live).toBe(true);
    expect((await stack.call('bob', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    await stack.client.workflow.getHandle(id).result();
    expect(await readObject(s3, 'airlock-exports', destinationKey)).toBe('late,but,safe\n');

    // Closed, and no worker to answer a query: the workflow's result is the whole final state.
    await stack.stopWorker();
    const closed = await stack.call('etl-bot', 'GET', `/v1/actions/${id}`);
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({
      status: 'succeeded',
      live: true,
      votes: [{ reviewer: 'bob', verdict: 'approve' }],
      result: { outputs: { destination: `s3://airlock-exports/${destinationKey}` } },
    });
  });
});
