import { type Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, CreateTaskResultSchema, RELATED_TASK_META_KEY, type CreateTaskResult, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { connectInMemory } from './in-memory';
import { toolText as text } from '../../../mcp/tool-text';
import { AirlockApiError, type ActionRequest, type ActionView, type CatalogueEntry } from '../../../client';
import { eventually } from '../../support/eventually';
import { CATALOGUE, succeeded, TOOL_RESULT, view } from './gateway-fixtures';

const TASK_ID = 'action-mcp.fs.write_file-abcdefghjkmnpqrs';
const WRITE = { path: '/tmp/a', content: 'x' };
const DAY_MS = 24 * 60 * 60 * 1000;

/** The API as the MCP server uses it, scripted per test; it records what it was asked. */
class FakeClient {
  requests: ActionRequest[] = [];
  reads: string[] = [];
  waits: { id: string; timeoutSeconds: number | undefined; signal: AbortSignal | undefined }[] = [];
  cancels: { id: string; reason: string | undefined }[] = [];
  catalogue: () => Promise<CatalogueEntry[]> = async () => CATALOGUE;
  answer: () => Promise<ActionView> = async () => view('pending_review');
  current: (id: string) => Promise<ActionView> = async () => view('pending_review');
  outcome: (signal?: AbortSignal) => Promise<ActionView> = async () => succeeded();
  cancelled: () => Promise<ActionView> = async () => view('cancelled', { cancellation: { by: 'etl-bot', reason: 'no longer', at: '' } });

  async listActions(): Promise<CatalogueEntry[]> {
    return this.catalogue();
  }

  async request(input: ActionRequest): Promise<ActionView> {
    this.requests.push(input);
    return this.answer();
  }

  async get(id: string): Promise<ActionView> {
    this.reads.push(id);
    return this.current(id);
  }

  async waitForOutcome(id: string, options: { timeoutSeconds?: number; signal?: AbortSignal }): Promise<ActionView> {
    this.waits.push({ id, timeoutSeconds: options.timeoutSeconds, signal: options.signal });
    return this.outcome(options.signal);
  }

  async cancel(id: string, options: { reason?: string } = {}): Promise<ActionView> {
    this.cancels.push({ id, reason: options.reason });
    return this.cancelled();
  }
}

/** A fresh MCP server and client on `fake`: each one knows nothing of calls made through another. */
function connect(fake: FakeClient): Promise<Client> {
  return connectInMemory(fake, { callWaitSeconds: 5 });
}

function callAsTask(client: Client, name: string, args: Record<string, unknown>): Promise<CreateTaskResult> {
  return client.request({ method: 'tools/call', params: { name, arguments: args, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
}

const related = { [RELATED_TASK_META_KEY]: { taskId: TASK_ID } };

describe('MCP tasks: capability and tools/list', () => {
  it('advertises task-augmented tools/call and tasks/cancel, not tasks/list; gateway tools are optional tasks, own tools never', async () => {
    const client = await connect(new FakeClient());
    expect(client.getServerCapabilities()?.tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await client.listTools();
    const support = Object.fromEntries(tools.map((tool) => [tool.name, tool.execution?.taskSupport]));
    expect(support).toEqual({
      list_actions: 'forbidden',
      request_action: 'forbidden',
      get_action: 'forbidden',
      cancel_action: 'forbidden',
      fs__write_file: 'optional',
      fs__delete_tree: 'optional',
      tickets__file_create: 'optional',
    });
  });
});

describe('MCP tasks: a task-augmented tools/call', () => {
  it('asks for the action as a plain call does and answers at once with a working task whose id is the action id', async () => {
    const fake = new FakeClient();
    const client = await connect(fake);
    const created = await callAsTask(client, 'fs__write_file', { ...WRITE, airlock_justification: 'Save the report for finance' });
    expect(fake.requests).toEqual([{ action: 'mcp.fs.write_file', params: WRITE, justification: 'Save the report for finance' }]);
    expect(fake.waits).toEqual([]);
    expect(created.task).toEqual({
      taskId: TASK_ID,
      status: 'working',
      statusMessage: `${TASK_ID} is pending_review: waiting for 1 approval from alice or bob. This is normal: humans decide, and it can take minutes or hours.`,
      createdAt: '2026-01-01T00:00:00.000Z',
      lastUpdatedAt: '2026-01-01T00:00:00.000Z',
      ttl: DAY_MS,
      pollInterval: 5000,
    });
    expect(created._meta?.['io.modelcontextprotocol/model-immediate-response']).toMatch(
      /^fs__write_file runs as Airlock action action-mcp\.fs\.write_file-abcdefghjkmnpqrs: .* do not call fs__write_file again for it\.$/,
    );
  });

  it('begins working even when policy denied the call at once; tasks/get then says failed, with the reason', async () => {
    const denied = view('denied', { policy: { effect: 'deny', ruleId: 'no-secrets', reason: 'Not secret paths', risk: 'high', policyHash: '' } });
    const fake = new FakeClient();
    fake.answer = async () => denied;
    fake.current = async () => denied;
    const client = await connect(fake);
    expect((await callAsTask(client, 'fs__write_file', WRITE)).task.status).toBe('working');
    const task = await client.experimental.tasks.getTask(TASK_ID);
    expect(task).toMatchObject({ taskId: TASK_ID, status: 'failed', pollInterval: 1000 });
    expect(task.statusMessage).toContain('denied by policy (policy rule no-secrets): Not secret paths');
  });

  it.each([
    ['an unknown tool', 'fs__nope', WRITE, undefined, -32602, 'Tool fs__nope not found'],
    ['a too short justification', 'fs__write_file', { ...WRITE, airlock_justification: 'why' }, undefined, -32602, 'Invalid arguments for tool fs__write_file'],
    [
      'arguments the API refuses',
      'fs__write_file',
      WRITE,
      new AirlockApiError(400, 'invalid_params', 'invalid params', [{ path: 'params.path', message: 'must be a string' }]),
      -32602,
      'Airlock refused (400 invalid_params): path: must be a string',
    ],
    [
      'an API that refuses for its own reasons',
      'fs__write_file',
      WRITE,
      new AirlockApiError(429, 'rate_limited', 'slow down'),
      -32603,
      'Airlock refused (429 rate_limited)',
    ],
  ])('answers %s with a JSON-RPC error and no task', async (_what, name, args, apiError, code, message) => {
    const fake = new FakeClient();
    if (apiError) fake.answer = () => Promise.reject(apiError);
    const client = await connect(fake);
    const error = await callAsTask(client, name, args).catch((err: unknown) => err);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toContain(message);
    // The SDK prefixes the code on each side; the refusal's own text adds no third.
    expect((error as Error).message).not.toMatch(/(MCP error -?\d+: ){3}/);
    if (!apiError) expect(fake.requests).toEqual([]);
  });

  it("refuses a task-augmented call of an own tool with -32601, as the spec says of taskSupport 'forbidden'", async () => {
    const fake = new FakeClient();
    const client = await connect(fake);
    const request = { action: 's3.copyObject', params: {}, justification: 'a long enough reason' };
    await expect(callAsTask(client, 'request_action', request)).rejects.toMatchObject({ code: -32601 });
    expect(fake.requests).toEqual([]);
  });
});

describe('MCP tasks: tasks/get', () => {
  const toolError = { summary: 'called write_file on fs', outputs: {}, toolResult: { content: [], isError: true }, completedAt: '' };
  it.each([
    ['evaluating', 'working', view('evaluating'), 1000],
    ['pending_review', 'working', view('pending_review'), 5000],
    ['approved', 'working', view('approved'), 1000],
    ['executing', 'working', view('executing'), 1000],
    ['succeeded', 'completed', succeeded(), 1000],
    ["succeeded with the tool's isError", 'failed', view('succeeded', { result: toolError }), 1000],
    ['failed', 'failed', view('failed', { error: { type: 'tool_error', message: 'EACCES' } }), 1000],
    ['denied', 'failed', view('denied'), 1000],
    ['rejected', 'failed', view('rejected'), 1000],
    ['expired', 'failed', view('expired'), 1000],
    ['cancelled', 'cancelled', view('cancelled'), 1000],
  ])('maps an action %s to the task status %s', async (_status, status, action, pollInterval) => {
    const fake = new FakeClient();
    fake.current = async () => ({ ...action, updatedAt: '2026-01-01T00:05:00.000Z' });
    const task = await (await connect(fake)).experimental.tasks.getTask(TASK_ID);
    expect(task).toMatchObject({
      taskId: TASK_ID,
      status,
      pollInterval,
      ttl: DAY_MS,
      createdAt: '2026-01-01T00:00:00.000Z',
      lastUpdatedAt: '2026-01-01T00:05:00.000Z',
    });
    expect(task.statusMessage).toMatch(new RegExp(`^${TASK_ID} `));
    expect(task.statusMessage).not.toContain('get_action');
    expect(fake.reads).toEqual([TASK_ID]);
  });

  it('reads the action afresh on every call, so a server that never saw the call answers for its task', async () => {
    const fake = new FakeClient();
    await callAsTask(await connect(fake), 'fs__write_file', WRITE);
    const restarted = await connect(fake);
    expect(await restarted.experimental.tasks.getTask(TASK_ID)).toMatchObject({ status: 'working' });
    fake.current = async () => succeeded();
    expect(await restarted.experimental.tasks.getTask(TASK_ID)).toMatchObject({ status: 'completed' });
    expect(fake.reads).toEqual([TASK_ID, TASK_ID]);
  });

  it("answers an id the API does not show this key (unknown, or another agent's) as the spec's unknown task", async () => {
    const fake = new FakeClient();
    fake.current = () => Promise.reject(new AirlockApiError(404, 'action_not_found', 'no such action'));
    const error = await (await connect(fake)).experimental.tasks.getTask(TASK_ID).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: -32602 });
    expect((error as Error).message).toContain('Failed to retrieve task: Task not found');
  });

  it('does not look up ids that are no gateway action: they were never tasks', async () => {
    const fake = new FakeClient();
    const client = await connect(fake);
    for (const id of ['action-s3.copyObject-abcdefghjkmnpqrs', 'anything', '']) {
      await expect(client.experimental.tasks.getTask(id)).rejects.toMatchObject({ code: -32602 });
    }
    expect(fake.reads).toEqual([]);
  });

  it('answers an API it cannot read with an internal error that says why', async () => {
    const fake = new FakeClient();
    fake.current = () => Promise.reject(new AirlockApiError(503, 'temporal_unavailable', 'Temporal is not reachable'));
    const error = await (await connect(fake)).experimental.tasks.getTask(TASK_ID).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: -32603 });
    expect((error as Error).message).toContain('Airlock refused (503 temporal_unavailable): Temporal is not reachable');
  });
});

describe('MCP tasks: tasks/result', () => {
  it("answers a completed task with the tool's own result, tied to the task", async () => {
    const fake = new FakeClient();
    fake.current = async () => succeeded();
    const result = await (await connect(fake)).experimental.tasks.getTaskResult(TASK_ID, CallToolResultSchema);
    expect(result).toEqual({ ...TOOL_RESULT, _meta: related });
    expect(fake.waits).toEqual([]);
  });

  it('blocks until the action is final, long-polling the API in steps with progress, however long that takes', async () => {
    const fake = new FakeClient();
    const outcomes = [view('pending_review'), view('pending_review'), view('approved'), succeeded()];
    fake.outcome = async () => outcomes.shift() as ActionView;
    const progress: Progress[] = [];
    const client = await connect(fake);
    const result = await client.experimental.tasks.getTaskResult(TASK_ID, CallToolResultSchema, { onprogress: (p) => progress.push(p) });
    expect(result).toEqual({ ...TOOL_RESULT, _meta: related });
    expect(fake.waits.map((wait) => [wait.id, wait.timeoutSeconds])).toEqual([
      [TASK_ID, 20],
      [TASK_ID, 20],
      [TASK_ID, 20],
      [TASK_ID, 20],
    ]);
    expect(progress.map((p) => [p.progress, p.message])).toEqual([
      [1, `${TASK_ID} is pending_review`],
      [2, `${TASK_ID} is pending_review`],
      [3, `${TASK_ID} is pending_review`],
      [4, `${TASK_ID} is approved`],
    ]);
  });

  it('answers a call that did not run as the plain call would have: a tool error with the reason, tied to the task', async () => {
    const fake = new FakeClient();
    fake.current = async () => view('rejected', { votes: [{ reviewer: 'bob', verdict: 'reject', comment: 'not that path', channel: 'api', at: '' }] });
    const result = await (await connect(fake)).experimental.tasks.getTaskResult(TASK_ID, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('was rejected by bob: not that path');
    expect(result._meta).toEqual(related);
  });

  it('answers an unknown task with the unknown-task error', async () => {
    const fake = new FakeClient();
    fake.current = () => Promise.reject(new AirlockApiError(404, 'action_not_found', 'no such action'));
    await expect((await connect(fake)).experimental.tasks.getTaskResult(TASK_ID, CallToolResultSchema)).rejects.toMatchObject({ code: -32602 });
  });

  it('stops waiting when the client cancels its tasks/result', async () => {
    const fake = new FakeClient();
    // A long poll that lasts until it is aborted, as the real one does.
    fake.outcome = (signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error)));
    const client = await connect(fake);
    const controller = new AbortController();
    const waiting = client.experimental.tasks.getTaskResult(TASK_ID, CallToolResultSchema, { signal: controller.signal });
    await eventually(() => fake.waits.length === 1, 2_000);
    controller.abort('enough');
    await expect(waiting).rejects.toBeDefined();
    await eventually(() => fake.waits[0]?.signal?.aborted, 2_000);
    expect(fake.waits).toHaveLength(1);
  });
});

describe('MCP tasks: tasks/cancel', () => {
  it('cancels the action through the API, saying who, and answers the task cancelled', async () => {
    const fake = new FakeClient();
    const task = await (await connect(fake)).experimental.tasks.cancelTask(TASK_ID);
    expect(fake.cancels).toEqual([{ id: TASK_ID, reason: 'Cancelled by the agent (MCP tasks/cancel).' }]);
    expect(task).toMatchObject({ taskId: TASK_ID, status: 'cancelled' });
    expect(task.statusMessage).toContain('was cancelled by etl-bot');
  });

  it.each([
    [succeeded(), "Cannot cancel task: already in terminal status 'completed'"],
    [view('cancelled'), "Cannot cancel task: already in terminal status 'cancelled'"],
    [view('approved', { review: null }), 'Once approved it runs and can no longer be cancelled.'],
  ])("answers the API's not_cancellable with -32602, saying why: %#", async (now, message) => {
    const fake = new FakeClient();
    fake.cancelled = () => Promise.reject(new AirlockApiError(409, 'not_cancellable', 'the action has already finished'));
    fake.current = async () => now;
    const error = await (await connect(fake)).experimental.tasks.cancelTask(TASK_ID).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: -32602 });
    expect((error as Error).message).toContain(message);
  });

  it('answers a task this key may not cancel, or not see, as unknown; other ids are not even tried', async () => {
    const fake = new FakeClient();
    const client = await connect(fake);
    fake.cancelled = () => Promise.reject(new AirlockApiError(403, 'forbidden', 'only the requester or an admin may cancel an action'));
    await expect(client.experimental.tasks.cancelTask(TASK_ID)).rejects.toMatchObject({ code: -32602 });
    fake.cancelled = () => Promise.reject(new AirlockApiError(404, 'action_not_found', 'no such action'));
    await expect(client.experimental.tasks.cancelTask(TASK_ID)).rejects.toMatchObject({ code: -32602 });
    await expect(client.experimental.tasks.cancelTask('action-s3.copyObject-abcdefghjkmnpqrs')).rejects.toMatchObject({ code: -32602 });
    expect(fake.cancels.map((cancel) => cancel.id)).toEqual([TASK_ID, TASK_ID]);
  });
});
