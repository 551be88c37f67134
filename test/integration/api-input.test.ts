import { bundleWorkflows, startStack, type Stack } from '../support/stack';

/** Bad input gets a 4xx with a stable code and message, and starts nothing. */
describe('API input handling', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(await bundleWorkflows());
  });
  afterAll(() => stack?.stop());

  const valid = {
    action: 's3.copyObject',
    params: { sourceBucket: 'airlock-src', sourceKey: 'a.csv', destinationBucket: 'airlock-exports', destinationKey: 'b.csv' },
    justification: 'A valid reason for the request',
  };

  async function workflowCount(): Promise<number> {
    let count = 0;
    for await (const _ of stack.client.workflow.list({ query: `TaskQueue = '${stack.taskQueue}'` })) count++;
    return count;
  }

  it('refuses a missing, unknown or malformed API key with 401', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer alk_not-a-real-key' }, { authorization: 'Basic YWxpY2U6cHc=' }];
    for (const headers of attempts) {
      const response = await stack.call(null, 'POST', '/v1/actions', valid, headers);
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('unauthenticated');
    }
  });

  it('refuses a reviewer-only principal asking for an action with 403', async () => {
    const response = await stack.call('bob', 'POST', '/v1/actions', valid);
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toEqual({ code: 'forbidden', message: expect.stringContaining('requester') });
  });

  it('lists every body problem at once with its path', async () => {
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', { action: 's3.copyObject', params: 'nope', justification: 'short', extra: 1 });
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe('invalid_request');
    const paths = error.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['body.params', 'body.justification', 'body']));
  });

  it('refuses unknown actions and invalid params, naming the fields', async () => {
    const unknown = await stack.call('etl-bot', 'POST', '/v1/actions', { ...valid, action: 'ec2.terminateEverything' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('unknown_action');
    expect(unknown.json().error.message).toContain('s3.copyObject');

    const invalid = await stack.call('etl-bot', 'POST', '/v1/actions', {
      ...valid,
      params: { sourceBucket: 'Bad_Bucket', sourceKey: 'data/*', destinationBucket: 'airlock-exports' },
    });
    expect(invalid.statusCode).toBe(400);
    const { error } = invalid.json();
    expect(error.code).toBe('invalid_params');
    const paths = error.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['params.sourceBucket', 'params.sourceKey', 'params.destinationKey']));
  });

  it('answers malformed JSON, wrong media type and oversized bodies with 4xx codes', async () => {
    const malformed = await stack.call('etl-bot', 'POST', '/v1/actions', '{"action":', { 'content-type': 'application/json' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('invalid_json');

    const text = await stack.call('etl-bot', 'POST', '/v1/actions', 'action=s3.copyObject', { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('unsupported_media_type');

    const huge = await stack.call('etl-bot', 'POST', '/v1/actions', { ...valid, justification: 'x'.repeat(200_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('body_too_large');
  });

  it('refuses a malformed Idempotency-Key header', async () => {
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', valid, { 'idempotency-key': 'has spaces in it' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.issues[0].path).toBe('headers.idempotency-key');
  });

  it('answers 404 for unknown and malformed action ids and unknown routes', async () => {
    for (const url of ['/v1/actions/action-s3.copyObject-aaaaaaaaaaaaaaaa', '/v1/actions/not-an-id', '/v1/nothing-here']) {
      const response = await stack.call('bob', 'GET', url);
      expect(response.statusCode).toBe(404);
      expect(['action_not_found', 'not_found']).toContain(response.json().error.code);
    }
    const vote = await stack.call('bob', 'POST', '/v1/actions/action-s3.copyObject-aaaaaaaaaaaaaaaa/decisions', { decision: 'approve' });
    expect(vote.statusCode).toBe(404);
    expect(vote.json().error.code).toBe('action_not_found');
  });

  it('refuses a decision body that is not approve or reject', async () => {
    const response = await stack.call('bob', 'POST', '/v1/actions/action-s3.copyObject-aaaaaaaaaaaaaaaa/decisions', { decision: 'maybe' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.issues[0].path).toBe('body.decision');
  });

  it('started no workflow for any of the refused requests', async () => {
    expect(await workflowCount()).toBe(0);
  });

  it('reports health with Temporal reachable', async () => {
    const response = await stack.call(null, 'GET', '/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', temporal: 'ok' });
  });
});
