import { type Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { connectInMemory } from './in-memory';
import { toolText as text } from '../../../mcp/tool-text';
import { AirlockApiError, type ActionRequest, type ActionView, type CatalogueEntry } from '../../../client';
import type { McpServerOptions } from '../../../mcp/server';
import { CATALOGUE, gatewayEntry, succeeded, TOOL_RESULT, view, WRITE_SCHEMA } from './gateway-fixtures';

/** The API as the MCP server uses it, scripted per test; it records each request and wait. */
class FakeClient {
  requests: ActionRequest[] = [];
  waits: number[] = [];
  catalogueReads = 0;
  catalogue: () => Promise<CatalogueEntry[]> = async () => CATALOGUE;
  answer: () => Promise<ActionView> = async () => view('pending_review');
  outcome: () => Promise<ActionView> = async () => succeeded();
  get: (id: string) => Promise<ActionView> = async () => succeeded();
  cancel = async () => view('cancelled');

  async listActions(): Promise<CatalogueEntry[]> {
    this.catalogueReads++;
    return this.catalogue();
  }

  async request(input: ActionRequest): Promise<ActionView> {
    this.requests.push(input);
    return this.answer();
  }

  async waitForOutcome(_id: string, options: { timeoutSeconds?: number }): Promise<ActionView> {
    this.waits.push(options.timeoutSeconds ?? -1);
    return this.outcome();
  }
}

function connect(fake: FakeClient, options: McpServerOptions = {}): Promise<Client> {
  return connectInMemory(fake, { callWaitSeconds: 5, ...options });
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

async function listed(client: Client): Promise<Map<string, Tool>> {
  return new Map((await client.listTools()).tools.map((tool) => [tool.name, tool]));
}

const WRITE = { path: '/tmp/a', content: 'x' };

describe('tools/list with gateway tools', () => {
  it('lists the own four tools, then each catalogue entry with a tool as <server>__<tool>, and no other entry', async () => {
    const fake = new FakeClient();
    const client = await connect(fake);
    expect([...(await listed(client)).keys()]).toEqual([
      'list_actions',
      'request_action',
      'get_action',
      'cancel_action',
      'fs__write_file',
      'fs__delete_tree',
      'tickets__file_create',
    ]);
    expect(fake.catalogueReads).toBe(1);
    // Read again on each tools/list: current, and this agent's.
    fake.catalogue = async () => [CATALOGUE[1] as CatalogueEntry];
    expect([...(await listed(client)).keys()]).toContain('fs__write_file');
    expect((await listed(client)).has('fs__delete_tree')).toBe(false);
  });

  it("gives the downstream schema plus an optional airlock_justification, the tool's title and hints, and what Airlock will do", async () => {
    const tool = (await listed(await connect(new FakeClient()))).get('fs__write_file');
    expect(tool?.inputSchema).toEqual({
      ...WRITE_SCHEMA,
      properties: { ...WRITE_SCHEMA.properties, airlock_justification: expect.objectContaining({ type: 'string', minLength: 10, maxLength: 2000 }) },
    });
    expect(tool?.inputSchema.required).toEqual(['path', 'content']);
    expect(tool?.title).toBe('Write file');
    expect(tool?.annotations).toEqual({ destructiveHint: true, readOnlyHint: false, title: 'Write file' });
    expect(tool?.description).toMatch(/^Writes a file\.\n\nAirlock: humans review each call before it runs \(the call waits for their decision\)/);
    expect(tool?.outputSchema).toBeUndefined();
  });

  it('lists a denied tool, saying not to call it, and leaves a downstream airlock_justification argument as the tool has it', async () => {
    const tools = await listed(await connect(new FakeClient()));
    expect(tools.get('fs__delete_tree')?.description).toMatch(/\n\nAirlock: denied by policy for this agent; do not call\.$/);
    expect(tools.get('tickets__file_create')?.inputSchema.properties).toEqual({ airlock_justification: { type: 'number' } });
    expect(tools.get('tickets__file_create')?.description).toContain('Airlock: depending on the arguments, reviewed by humans');
  });

  it('still lists the own tools, with their schemas, when the catalogue cannot be read', async () => {
    const fake = new FakeClient();
    fake.catalogue = () => Promise.reject(new TypeError('fetch failed'));
    const logged: string[] = [];
    const tools = await listed(await connect(fake, { log: (message) => logged.push(message) }));
    expect([...tools.keys()]).toEqual(['list_actions', 'request_action', 'get_action', 'cancel_action']);
    expect(tools.get('request_action')?.inputSchema.required).toEqual(['action', 'params', 'justification']);
    expect(tools.get('get_action')?.outputSchema?.required).toEqual(['id', 'status', 'action']);
    expect(logged).toEqual(['tools/list without gateway tools: the catalogue could not be read: fetch failed']);
  });
});

describe('tools/call of a gateway tool', () => {
  it('requests mcp.<server>.<tool> with the arguments, airlock_justification taken out as the justification', async () => {
    const fake = new FakeClient();
    const client = await connect(fake);
    await call(client, 'fs__write_file', { ...WRITE, airlock_justification: 'Save the report for finance' });
    expect(fake.requests).toEqual([{ action: 'mcp.fs.write_file', params: WRITE, justification: 'Save the report for finance' }]);
  });

  it('makes up a justification naming the tool when none is given, and passes a downstream airlock_justification on', async () => {
    const fake = new FakeClient();
    const client = await connect(fake);
    await call(client, 'fs__write_file', WRITE);
    await call(client, 'tickets__file_create', { airlock_justification: 3 });
    expect(fake.requests).toEqual([
      { action: 'mcp.fs.write_file', params: WRITE, justification: 'The agent called write_file on the MCP server fs without saying why.' },
      { action: 'mcp.tickets.file.create', params: { airlock_justification: 3 }, justification: expect.stringContaining('file.create') },
    ]);
  });

  it("answers with the tool's own result, as the tool gave it, once the action succeeded", async () => {
    const client = await connect(new FakeClient());
    const result = await call(client, 'fs__write_file', WRITE);
    expect(result).toEqual(TOOL_RESULT);
  });

  it("passes a tool's own isError on, and says so when a succeeded action has no tool result", async () => {
    const fake = new FakeClient();
    fake.outcome = async () => succeeded({ content: [{ type: 'text', text: 'disk full' }], isError: true });
    const client = await connect(fake);
    expect(await call(client, 'fs__write_file', WRITE)).toEqual({ content: [{ type: 'text', text: 'disk full' }], isError: true });
    fake.outcome = async () => view('succeeded', { result: { summary: 'wrote it', outputs: {}, completedAt: '' } });
    const bare = await call(client, 'fs__write_file', WRITE);
    expect(bare.isError).toBeFalsy();
    expect(text(bare)).toBe('action-mcp.fs.write_file-abcdefghjkmnpqrs succeeded: wrote it.');
  });

  it.each([
    [
      view('rejected', { votes: [{ reviewer: 'bob', verdict: 'reject', comment: 'not that path', channel: 'api', at: '' }] }),
      /was rejected by bob: not that path\./,
    ],
    [
      view('denied', { policy: { effect: 'deny', ruleId: 'no-deletes', reason: 'Deletes are not for agents', risk: 'high', policyHash: '' } }),
      /denied by policy \(policy rule no-deletes\): Deletes are not for agents/,
    ],
    [view('failed', { error: { type: 'ToolError', message: 'EACCES: permission denied' } }), /failed: EACCES: permission denied\./],
    [view('expired'), /expired: no decision before the review deadline/],
    [view('cancelled', { cancellation: { by: 'alice', reason: 'wrong file', at: '' } }), /was cancelled by alice: wrong file/],
  ])('answers a call that did not run with a tool error saying why: %#', async (outcome, expected) => {
    const fake = new FakeClient();
    fake.outcome = async () => outcome;
    const result = await call(await connect(fake), 'fs__write_file', WRITE);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(expected);
  });

  it('waits the configured time, then answers a pending call normally, with the action id and how to get the result', async () => {
    const fake = new FakeClient();
    fake.outcome = async () => view('pending_review');
    // The long poll takes the time it is given; a clock that jumps as it does keeps the test instant.
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    fake.waitForOutcome = async (_id, options) => {
      fake.waits.push(options.timeoutSeconds ?? -1);
      now += (options.timeoutSeconds ?? 0) * 1000;
      return view('pending_review');
    };
    try {
      const result = await call(await connect(fake, { callWaitSeconds: 50 }), 'fs__write_file', WRITE);
      expect(fake.waits).toEqual([20, 20, 10]);
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toBeUndefined();
      expect(text(result)).toMatch(/^fs__write_file is waiting for human review as Airlock action action-mcp\.fs\.write_file-abcdefghjkmnpqrs/);
      expect(text(result)).toContain('get_action with id "action-mcp.fs.write_file-abcdefghjkmnpqrs" and wait_seconds');
      expect(text(result)).toContain("returns the tool's result");
      expect(text(result)).toContain('Do not call fs__write_file again');
    } finally {
      clock.mockRestore();
    }
  });

  it('does not wait with callWaitSeconds 0, and answers with where the action stands', async () => {
    const fake = new FakeClient();
    const result = await call(await connect(fake, { callWaitSeconds: 0 }), 'fs__write_file', WRITE);
    expect(fake.waits).toEqual([]);
    expect(text(result)).toContain('waiting for 1 approval from alice or bob');
  });

  it('answers a wait cut short with the action id, not an error', async () => {
    const fake = new FakeClient();
    fake.outcome = () => Promise.reject(new Error('socket hang up'));
    const result = await call(await connect(fake), 'fs__write_file', WRITE);
    expect(result.isError).toBeFalsy();
    expect(text(result)).toContain('action-mcp.fs.write_file-abcdefghjkmnpqrs');
    expect(text(result)).toContain('(Waiting was cut short: socket hang up.)');
  });

  it('answers an unknown tool as McpServer does, without asking for any action', async () => {
    const fake = new FakeClient();
    const client = await connect(fake);
    for (const name of ['nope__x', 'fs__nope', 'no_such_tool', 's3__copyObject']) {
      expect(await call(client, name, {})).toEqual({ isError: true, content: [{ type: 'text', text: `MCP error -32602: Tool ${name} not found` }] });
    }
    expect(fake.requests).toEqual([]);
    expect(fake.catalogueReads).toBe(3); // not for no_such_tool, which cannot be a gateway tool
  });

  it('offers a dotted tool name with _ for each dot, and leaves out a tool whose name a model API would refuse', async () => {
    const fake = new FakeClient();
    const long = `t${'x'.repeat(60)}`;
    fake.catalogue = async () => [gatewayEntry('fs', long), gatewayEntry('tickets', 'file.create')];
    const client = await connect(fake);
    const names = [...(await listed(client)).keys()];
    expect(names).toContain('tickets__file_create');
    expect(names.filter((name) => name.includes(long))).toEqual([]);
    expect(names.every((name) => /^[A-Za-z0-9_-]{1,64}$/.test(name))).toBe(true);
    // The long one cannot be called either, and the dotted spelling is not a name this server offers.
    for (const name of [`fs__${long}`, 'tickets__file.create']) {
      expect(await call(client, name, {})).toEqual({ isError: true, content: [{ type: 'text', text: `MCP error -32602: Tool ${name} not found` }] });
    }
    await call(client, 'tickets__file_create', {});
    expect(fake.requests.map((request) => request.action)).toEqual(['mcp.tickets.file.create']);
  });

  it('refuses a too short airlock_justification as an argument error, before any request', async () => {
    const fake = new FakeClient();
    const result = await call(await connect(fake), 'fs__write_file', { ...WRITE, airlock_justification: 'why' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^MCP error -32602: Input validation error: Invalid arguments for tool fs__write_file: .* at airlock_justification$/);
    expect(fake.requests).toEqual([]);
  });

  it("names each invalid argument from the API's refusal and says to call the tool again", async () => {
    const fake = new FakeClient();
    fake.answer = () => Promise.reject(new AirlockApiError(400, 'invalid_params', 'invalid params', [{ path: 'params.path', message: 'must be a string' }]));
    const result = await call(await connect(fake), 'fs__write_file', { path: 1, content: 'x' });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(
      "Airlock refused (400 invalid_params): path: must be a string\nFix the named arguments (the tool's inputSchema describes them) and call fs__write_file again.",
    );
  });

  it("answers other API refusals with the own tools' words", async () => {
    const fake = new FakeClient();
    fake.answer = () => Promise.reject(new AirlockApiError(429, 'rate_limited', 'too many requests'));
    const result = await call(await connect(fake), 'fs__write_file', WRITE);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^Airlock refused \(429 rate_limited\): too many requests\nToo many calls/);
  });
});

describe('get_action on a gateway action', () => {
  it("gives the tool's content blocks after the sentence, and the view as before", async () => {
    const fake = new FakeClient();
    const client = await connect(fake);
    const result = await call(client, 'get_action', { id: 'action-mcp.fs.write_file-abcdefghjkmnpqrs' });
    expect(result.content.slice(0, 3)).toEqual([
      { type: 'text', text: 'action-mcp.fs.write_file-abcdefghjkmnpqrs succeeded: called write_file on fs.' },
      ...TOOL_RESULT.content,
    ]);
    expect(JSON.parse(text({ content: result.content.slice(3) }))).toEqual(succeeded());
    expect(result.structuredContent).toEqual(succeeded());
  });

  it('gives no tool blocks while the action is pending', async () => {
    const fake = new FakeClient();
    fake.get = async () => view('pending_review');
    const result = await call(await connect(fake), 'get_action', { id: 'action-x' });
    expect(result.content).toHaveLength(2);
    expect(result.structuredContent).toMatchObject({ status: 'pending_review' });
  });
});
