import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toolText as text } from '../../mcp/tool-text';
import { createMcpHttpServer } from '../../mcp/http-server';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { httpAgentTransport, MCP_STDIO_ENTRY, stdioAgentTransport } from '../support/mcp-agent';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { objectExists, putObject, readObject, testS3 } from '../support/test-aws';

const EXAMPLE_ENTRY = join(PROJECT_ROOT, 'dist', 'examples', 'request-export.js');

/** The result of a tool call that must have worked; a tool error fails the test with its text. */
function ok(result: CallToolResult): CallToolResult {
  if (result.isError) throw new Error(`tool error: ${text(result)}`);
  return result;
}

/** The MCP server as an agent meets it: over stdio (the built entry, as a process) and over Streamable HTTP. */
describe('MCP server', () => {
  let stack: Stack;
  let mcpHttp: Server;
  let mcpUrl: URL;
  const s3 = testS3();

  beforeAll(async () => {
    for (const entry of [MCP_STDIO_ENTRY, EXAMPLE_ENTRY]) {
      if (!existsSync(entry)) throw new Error(`${entry} is missing: npm test builds it (npm run build)`);
    }
    stack = await startStack(await bundleWorkflows());
    mcpHttp = createMcpHttpServer({ airlockUrl: stack.baseUrl });
    await new Promise<void>((resolve) => mcpHttp.listen(0, '127.0.0.1', resolve));
    mcpUrl = new URL(`http://127.0.0.1:${(mcpHttp.address() as AddressInfo).port}/mcp`);
  });
  afterAll(async () => {
    mcpHttp?.closeAllConnections();
    await new Promise((resolve) => (mcpHttp ? mcpHttp.close(resolve) : resolve(undefined)));
    await stack?.stop();
    s3.destroy();
  });

  /** A fresh source object, and params copying it into airlock-exports under reports/ (one approval by data-owners). */
  async function exportParams() {
    const sourceKey = `src/${randomUUID()}.csv`;
    const body = `id,value\n1,${randomUUID()}\n`;
    await putObject(s3, 'airlock-src', sourceKey, body);
    const destinationKey = `reports/${randomUUID()}.csv`;
    return { body, params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey } };
  }

  const transports: Record<string, (key: string) => Transport> = {
    stdio: (key) => stdioAgentTransport(stack.baseUrl, key),
    'streamable HTTP': (key) => httpAgentTransport(mcpUrl, key),
  };

  describe.each(Object.keys(transports))('over %s', (kind) => {
    let client: Client;

    beforeAll(async () => {
      client = new Client({ name: 'airlock-test-agent', version: '1.0.0' });
      await client.connect((transports[kind] as (key: string) => Transport)(stack.keys['etl-bot'] as string));
    });
    afterAll(async () => {
      await client?.close();
    });

    async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
      return (await client.callTool({ name, arguments: args })) as CallToolResult;
    }

    it('lists the four tools, telling the model that pending is normal and how to poll', async () => {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['cancel_action', 'get_action', 'list_actions', 'request_action']);
      const request = tools.find((tool) => tool.name === 'request_action');
      expect(request?.description).toMatch(/pending_review .*normal/);
      expect(request?.description).toContain('get_action');
      expect(request?.description).toContain('idempotency_key');
      expect(request?.inputSchema.required).toEqual(expect.arrayContaining(['action', 'params', 'justification']));
      expect(tools.find((tool) => tool.name === 'get_action')?.inputSchema.properties).toHaveProperty('wait_seconds');
    });

    it('list_actions returns the catalogue with each params JSON Schema and its review expectation', async () => {
      const result = ok(await call('list_actions', {}));
      const { actions } = result.structuredContent as { actions: { name: string; review: string; paramsSchema: { properties?: object } }[] };
      const copy = actions.find((entry) => entry.name === 's3.copyObject');
      expect(copy?.paramsSchema.properties).toHaveProperty('destinationBucket');
      // The test policy denies some destinations, allows scratch and reviews the rest.
      expect(copy?.review).toBe('depends_on_params');
      expect(text(result)).toContain('s3.copyObject');
    });

    it('requests an export, which succeeds after a reviewer approves through the API', async () => {
      const { params, body } = await exportParams();
      const requested = await call('request_action', {
        action: 's3.copyObject',
        params,
        justification: `Quarterly report for finance, over MCP (${kind})`,
        idempotency_key: `mcp-${randomUUID()}`,
      });
      ok(requested);
      const pending = requested.structuredContent as { id: string; status: string; requester: { id: string } };
      expect(pending).toMatchObject({ status: 'pending_review', requester: { id: 'etl-bot' } });
      expect(text(requested)).toMatch(new RegExp(`^${pending.id} is pending_review: waiting for 1 approval from alice, bob or carol.*This is normal`));

      // Still pending after a short wait: the answer says so, and is not an error.
      const waited = ok(await call('get_action', { id: pending.id, wait_seconds: 1 }));
      expect(waited.structuredContent).toMatchObject({ id: pending.id, status: 'pending_review' });

      const approval = await stack.call('alice', 'POST', `/v1/actions/${pending.id}/decisions`, { decision: 'approve' });
      expect(approval.statusCode).toBe(200);

      const done = ok(await call('get_action', { id: pending.id, wait_seconds: 30 }));
      expect(done.structuredContent).toMatchObject({
        id: pending.id,
        status: 'succeeded',
        review: { approvals: ['alice'] },
        result: { outputs: { destination: `s3://airlock-exports/${params.destinationKey}` }, session: { sourceIdentity: 'etl-bot' } },
      });
      expect(text(done)).toContain(`${pending.id} succeeded`);
      expect(await readObject(s3, 'airlock-exports', params.destinationKey)).toBe(body);
    });

    it('waits inside request_action: an export that policy allows at once comes back succeeded', async () => {
      const { params } = await exportParams();
      const result = ok(
        await call('request_action', {
          action: 's3.copyObject',
          params: { ...params, destinationBucket: 'airlock-scratch' },
          justification: 'Scratch copy for a quick look',
          wait_seconds: 30,
        }),
      );
      expect(result.structuredContent).toMatchObject({ status: 'succeeded', policy: { effect: 'allow' } });
      expect(await objectExists(s3, 'airlock-scratch', params.destinationKey)).toBe(true);
    });

    it('answers invalid params with a tool error naming the field, not a crash', async () => {
      const { params } = await exportParams();
      const result = await call('request_action', {
        action: 's3.copyObject',
        params: { ...params, destinationBucket: 'Not_A_Bucket' },
        justification: 'Quarterly report for the finance team',
      });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/params\.destinationBucket: bucket name may contain only lowercase letters/);
      // The session carries on.
      ok(await call('list_actions', {}));
    });

    it('answers bad tool arguments and unknown ids with tool errors', async () => {
      const short = await call('request_action', { action: 's3.copyObject', params: {}, justification: 'short' });
      expect(short.isError).toBe(true);
      expect(text(short)).toContain('justification');
      const missing = await call('get_action', { id: 'action-s3.copyObject-nosuchaction0000' });
      expect(missing.isError).toBe(true);
      expect(text(missing)).toContain('action_not_found');
    });

    it('cancels a pending action through cancel_action', async () => {
      const { params } = await exportParams();
      const requested = ok(await call('request_action', { action: 's3.copyObject', params, justification: 'Report that turns out to be unneeded' }));
      const { id } = requested.structuredContent as { id: string };
      const cancelled = ok(await call('cancel_action', { id, reason: 'the finance team found it elsewhere' }));
      expect(cancelled.structuredContent).toMatchObject({
        id,
        status: 'cancelled',
        cancellation: { by: 'etl-bot', reason: 'the finance team found it elsewhere' },
      });
      expect(text(cancelled)).toContain(`${id} was cancelled by etl-bot`);
      const again = await call('cancel_action', { id });
      expect(again.isError).toBe(true);
      expect(text(again)).toContain('not_cancellable');
      expect(await objectExists(s3, 'airlock-exports', params.destinationKey)).toBe(false);
    });
  });

  describe('over streamable HTTP, authentication', () => {
    it('answers 401 to a request without an API key, before any MCP handling', async () => {
      const response = await fetch(mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const client = new Client({ name: 'keyless-agent', version: '1.0.0' });
      await expect(client.connect(new StreamableHTTPClientTransport(mcpUrl))).rejects.toThrow();
    });

    it('acts as the principal of the key sent: another agent cannot read this one', async () => {
      const { params } = await exportParams();
      const created = await stack.call('etl-bot', 'POST', '/v1/actions', {
        action: 's3.copyObject',
        params,
        justification: 'Quarterly report for the finance team',
      });
      const other = new Client({ name: 'other-agent', version: '1.0.0' });
      await other.connect(transports['streamable HTTP']?.(stack.keys['other-bot'] as string) as Transport);
      try {
        const result = (await other.callTool({ name: 'get_action', arguments: { id: created.json().id } })) as CallToolResult;
        expect(result.isError).toBe(true);
        expect(text(result)).toContain('action_not_found');
      } finally {
        await other.close();
      }
    });

    it('refuses a browser origin it was not told to allow', async () => {
      const response = await fetch(mcpUrl, {
        method: 'POST',
        headers: { origin: 'https://evil.example', authorization: `Bearer ${stack.keys['etl-bot']}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(403);
    });
  });

  it('runs the example agent script: it asks for an export, waits, and reports success after approval', async () => {
    const { params, body } = await exportParams();
    const child = spawn(
      process.execPath,
      [EXAMPLE_ENTRY, `s3://${params.sourceBucket}/${params.sourceKey}`, `s3://${params.destinationBucket}/${params.destinationKey}`],
      { env: { ...process.env, AIRLOCK_URL: stack.baseUrl, AIRLOCK_API_KEY: stack.keys['etl-bot'] }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const deadline = Date.now() + 30_000;
      let id: string | undefined;
      while (!(id = /requested (action-\S+): pending_review/.exec(output)?.[1])) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the example did not report a pending action:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output).toContain('needs 1 approval from alice, bob or carol');
      expect((await stack.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
      expect(await exited).toBe(0);
      expect(output).toMatch(/succeeded: copy s3:\/\/airlock-src\//);
      expect(await readObject(s3, 'airlock-exports', params.destinationKey)).toBe(body);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});
