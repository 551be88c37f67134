import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toolText as text } from '../../mcp/tool-text';
import { createMcpHttpServer } from '../../mcp/http-server';
import type { ActionState } from '../../domain/types';
import { canonicalJson } from '../../domain/canonical-json';
import { freePort } from '../../net/free-port';
import { ManagedProcess, waitForPort } from '../../scripts/lib/managed-process';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { httpAgentTransport, MCP_STDIO_ENTRY, stdioAgentTransport } from '../support/mcp-agent';
import { FILESYSTEM_ENTRY, EVERYTHING_ENTRY, stdioServer, writeGatewayFile } from '../support/gateway-file';
import { eventually } from '../support/eventually';
import { TEST_TRUSTED_KEYS } from '../support/identity-keys';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';

/*
 * Downstream MCP tool calls as Airlock actions, through the API and a worker that each connect to
 * a real @modelcontextprotocol/server-filesystem (stdio) as the gateway file says: policy on the
 * tool's annotations and arguments, review, the call only after approval, the answer for the agent
 * and only its digest in the audit trail.
 */

const POLICY_FILE = join(PROJECT_ROOT, 'test/fixtures/policy-gateway.yaml');
/** How long the agent-facing server waits on a call before answering that it is pending: short, so tests see both answers. */
const CALL_WAIT_SECONDS = 8;

interface View {
  id: string;
  status: string;
  policy: { ruleId: string; effect: string } | null;
  preview: { facts: Record<string, unknown>; notes: string[]; warnings: string[] } | null;
  result: {
    summary: string;
    outputs: Record<string, unknown>;
    session?: unknown;
    toolResult?: { content: { type: string; text?: string }[]; isError?: boolean };
  } | null;
  error: { type: string; message: string } | null;
}

describe('MCP gateway: downstream tool calls as Airlock actions', () => {
  let stack: Stack;
  let dir: string;
  let configDir: string;
  let mcpHttp: Server;
  let mcpUrl: URL;
  let everything: ManagedProcess | undefined;

  beforeAll(async () => {
    // server-filesystem compares real paths: the allowed folder is given as one.
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-gateway-files-')));
    configDir = mkdtempSync(join(tmpdir(), 'airlock-gateway-config-'));
    // server-everything as a Streamable HTTP server of its own, for the gateway's HTTP downstream.
    const everythingPort = await freePort();
    everything = ManagedProcess.start('server-everything', process.execPath, [EVERYTHING_ENTRY, 'streamableHttp'], {
      env: { PATH: process.env.PATH, PORT: String(everythingPort) },
    });
    await waitForPort(everything, '127.0.0.1', everythingPort, 15_000);
    const gatewayFile = writeGatewayFile(configDir, [
      // What a file holds is the reviewers' to read, not the audit trail's.
      stdioServer('fs', FILESYSTEM_ENTRY, [dir], ['    tools: { write_file: { redact: [content] } }']),
      ['  everything:', '    transport: http', `    url: http://127.0.0.1:${everythingPort}/mcp`],
    ]);
    stack = await startStack(await bundleWorkflows(), { policyFile: POLICY_FILE, gatewayFile });
    mcpHttp = createMcpHttpServer({ airlockUrl: stack.baseUrl, callWaitSeconds: CALL_WAIT_SECONDS, log: () => undefined });
    await new Promise<void>((resolve) => mcpHttp.listen(0, '127.0.0.1', resolve));
    mcpUrl = new URL(`http://127.0.0.1:${(mcpHttp.address() as AddressInfo).port}/mcp`);
  });
  afterAll(async () => {
    mcpHttp?.closeAllConnections();
    await new Promise((resolve) => (mcpHttp ? mcpHttp.close(resolve) : resolve(undefined)));
    await stack?.stop();
    await everything?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  });

  const request = async (tool: string, args: Record<string, unknown>) => {
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: `mcp.fs.${tool}`,
      params: args,
      justification: `testing ${tool} through the gateway`,
    });
    return { statusCode: response.statusCode, body: response.json() as View & { error?: { code: string; issues?: { path: string; message: string }[] } } };
  };
  const view = async (id: string): Promise<View> => (await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json() as View;
  const final = async (id: string): Promise<View> => {
    await stack.client.workflow.getHandle<() => Promise<ActionState>>(id).result();
    return view(id);
  };

  it('lists every tool of the server in the catalogue, with its own schema, annotations and what policy will do', async () => {
    const catalogue = (await stack.call('etl-bot', 'GET', '/v1/catalogue')).json() as {
      items: {
        name: string;
        review: string;
        paramsSchema: { properties?: Record<string, unknown> };
        tool?: { server: string; name: string; annotations: Record<string, unknown> };
      }[];
    };
    const byName = new Map(catalogue.items.map((item) => [item.name, item]));
    // The first rule (deny-secret-paths) looks at the path: for every fs tool, the arguments decide.
    expect(byName.get('mcp.fs.write_file')).toMatchObject({
      review: 'depends_on_params',
      tool: { server: 'fs', name: 'write_file', annotations: { readOnlyHint: false, destructiveHint: true } },
    });
    expect(Object.keys(byName.get('mcp.fs.write_file')?.paramsSchema.properties ?? {}).sort()).toEqual(['content', 'path']);
    expect(byName.get('mcp.fs.read_text_file')).toMatchObject({ review: 'depends_on_params', tool: { annotations: { readOnlyHint: true } } });
    // The built-in operations are still there.
    expect(byName.has('s3.copyObject')).toBe(true);
  });

  it('reviews a write_file: the file appears only after approval, the agent gets the answer, the audit trail only its digest', async () => {
    const path = join(dir, `notes-${randomUUID()}.txt`);
    const content = `written through the gateway ${randomUUID()}`;
    const created = await request('write_file', { path, content });
    expect(created.statusCode).toBe(202);
    expect(created.body).toMatchObject({ status: 'pending_review', policy: { ruleId: 'review-fs-writes' } });
    // Reviewers see what the call is and what the server says of it; nothing was written.
    const pending = await view(created.body.id);
    expect(pending.preview?.facts).toEqual({
      server: 'fs',
      tool: 'write_file',
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect(pending.preview?.warnings.join('\n')).toContain('may change or delete data');
    expect(existsSync(path)).toBe(false);

    expect((await stack.call('alice', 'POST', `/v1/actions/${created.body.id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    const done = await final(created.body.id);
    expect(done.status).toBe('succeeded');
    expect(readFileSync(path, 'utf8')).toBe(content);
    const toolResult = done.result?.toolResult;
    expect(toolResult?.content[0]?.text).toContain('Successfully wrote');
    expect(done.result?.session).toBeUndefined(); // no AWS credentials for a server that needs none

    const lineage = await stack.audit.lineage(created.body.id);
    // The redacted argument: a digest in the trail, the whole request still verifiable by its signature.
    const received = lineage.find((event) => event.kind === 'request.received');
    expect(received?.data.params).toEqual({ path, content: expect.stringMatching(/^\[redacted sha256:[0-9a-f]{64}\]$/) });
    expect(JSON.stringify(lineage)).not.toContain(content);
    expect(await stack.audit.verify({ identityKeys: TEST_TRUSTED_KEYS })).toMatchObject({ ok: true });
    const succeeded = lineage.find((event) => event.kind === 'operation.succeeded');
    const digest = createHash('sha256').update(canonicalJson(toolResult), 'utf8').digest('hex');
    expect(succeeded?.data).toMatchObject({ outputs: { resultSha256: digest, resultBytes: Buffer.byteLength(JSON.stringify(toolResult)), contentBlocks: 1 } });
    expect(JSON.stringify(succeeded?.data)).not.toContain('Successfully wrote');
    expect(lineage.filter((event) => event.kind === 'credential.issued')).toEqual([]);
  });

  it('never writes a file whose write_file was rejected', async () => {
    const path = join(dir, `rejected-${randomUUID()}.txt`);
    const created = await request('write_file', { path, content: 'must never appear' });
    expect(created.body.status).toBe('pending_review');
    const rejected = await stack.call('bob', 'POST', `/v1/actions/${created.body.id}/decisions`, { decision: 'reject', comment: 'not this file' });
    expect(rejected.statusCode).toBe(200);
    expect((await final(created.body.id)).status).toBe('rejected');
    expect(existsSync(path)).toBe(false);
  });

  it('runs a read at once, the file content going to the agent and not into the audit trail', async () => {
    const path = join(dir, `read-${randomUUID()}.txt`);
    const secretLine = `card 4111-1111-1111-${Math.floor(Math.random() * 9000 + 1000)}`;
    writeFileSync(path, secretLine);
    const created = await request('read_text_file', { path });
    expect(created.statusCode).toBe(202);
    const done = await final(created.body.id);
    expect(done).toMatchObject({ status: 'succeeded', policy: { ruleId: 'allow-fs-reads' } });
    expect(done.result?.toolResult?.content[0]?.text).toBe(secretLine);
    const lineage = JSON.stringify(await stack.audit.lineage(created.body.id));
    expect(lineage).toContain('operation.succeeded');
    expect(lineage).not.toContain(secretLine);
  });

  it('denies a path the policy names, with nothing sent to the server', async () => {
    const path = join(dir, `secret-${randomUUID()}.txt`);
    const created = await request('write_file', { path, content: 'nope' });
    expect(created.body).toMatchObject({ status: 'denied', policy: { ruleId: 'deny-secret-paths' } });
    await final(created.body.id);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses arguments the tool schema refuses, naming each field, before any action exists', async () => {
    const refused = await request('write_file', { path: join(dir, 'x.txt'), contents: 'typo' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body.error?.code).toBe('invalid_params');
    expect(refused.body.error?.issues).toEqual([{ path: 'params.content', message: 'required' }]);
  });

  it('fails the action with the tool’s own words when the tool reports an error', async () => {
    const outside = join(realpathSync(tmpdir()), `outside-${randomUUID()}.txt`);
    const created = await request('read_text_file', { path: outside });
    const done = await final(created.body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ type: 'tool_error' });
    expect(done.error?.message).toMatch(/Access denied|outside allowed/i);
    await eventually(async () => (await stack.audit.lineage(created.body.id)).some((event) => event.kind === 'operation.failed'));
  });

  /** The agent's side: the MCP SDK's client on Airlock's MCP server, over stdio (the built entry) and Streamable HTTP. */
  const transports: Record<string, (key: string) => Transport> = {
    stdio: (key) => stdioAgentTransport(stack.baseUrl, key, { AIRLOCK_MCP_CALL_WAIT_SECONDS: String(CALL_WAIT_SECONDS) }),
    'streamable HTTP': (key) => httpAgentTransport(mcpUrl, key),
  };

  /** A waiting write_file's action, found as a reviewer finds it: in the list of pending reviews. */
  const pendingWrite = (path: string) =>
    eventually(async () => {
      const listed = (await stack.call('alice', 'GET', '/v1/actions?status=pending_review&action=mcp.fs.write_file')).json() as { items: { id: string }[] };
      for (const item of listed.items) {
        const seen = (await stack.call('alice', 'GET', `/v1/actions/${item.id}`)).json() as { id: string; params: { path?: string } };
        if (seen.params.path === path) return seen;
      }
      return undefined;
    }, 5_000);

  describe.each(Object.keys(transports))('as an agent sees it, over %s', (kind) => {
    let agent: Client;

    beforeAll(async () => {
      if (!existsSync(MCP_STDIO_ENTRY)) throw new Error(`${MCP_STDIO_ENTRY} is missing: npm test builds it (npm run build)`);
      agent = new Client({ name: 'gateway-test-agent', version: '1.0.0' });
      await agent.connect((transports[kind] as (key: string) => Transport)(stack.keys['etl-bot'] as string));
    });
    afterAll(async () => {
      await agent?.close();
    });

    it('lists the server’s tools as <server>__<tool> beside Airlock’s own, each saying what Airlock does with a call', async () => {
      const { tools } = await agent.listTools();
      const names = tools.map((tool) => tool.name);
      expect(names).toEqual(expect.arrayContaining(['request_action', 'get_action', 'fs__write_file', 'fs__read_text_file']));
      const write = tools.find((tool) => tool.name === 'fs__write_file');
      expect(Object.keys(write?.inputSchema.properties ?? {}).sort()).toEqual(['airlock_justification', 'content', 'path']);
      expect(write?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
      expect(write?.description).toMatch(/Airlock: depending on the arguments/);
    });

    it('passes a call on to a Streamable HTTP server (server-everything) and its answer back, structured content included', async () => {
      const echoed = (await agent.callTool({ name: 'everything__echo', arguments: { message: `hello over ${kind}` } })) as CallToolResult;
      expect(echoed.isError).toBeFalsy();
      expect(text(echoed)).toBe(`Echo: hello over ${kind}`);
      const { tools } = await agent.listTools();
      expect(tools.find((tool) => tool.name === 'everything__echo')?.description).toContain('Airlock: runs at once, no review.');
      const weather = (await agent.callTool({ name: 'everything__get-structured-content', arguments: { location: 'Chicago' } })) as CallToolResult;
      expect(weather.structuredContent).toMatchObject({ temperature: expect.any(Number), conditions: expect.any(String), humidity: expect.any(Number) });
    });

    it('answers a read at once with the file’s content', async () => {
      const path = join(dir, `agent-read-${randomUUID()}.txt`);
      writeFileSync(path, `read by the agent over ${kind}`);
      const result = (await agent.callTool({ name: 'fs__read_text_file', arguments: { path } })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(text(result)).toBe(`read by the agent over ${kind}`);
    });

    it('answers a write still waiting for review with its action id, and get_action returns the tool’s answer once approved', async () => {
      const path = join(dir, `agent-write-${randomUUID()}.txt`);
      const pending = (await agent.callTool({
        name: 'fs__write_file',
        arguments: { path, content: 'approved content', airlock_justification: 'the nightly report needs this file' },
      })) as CallToolResult;
      expect(pending.isError).toBeFalsy();
      const actionId = /action-mcp\.fs\.write_file-[a-z2-9]{16}/.exec(text(pending))?.[0];
      expect(text(pending)).toMatch(/waiting for human review/);
      expect(actionId).toBeDefined();
      expect(existsSync(path)).toBe(false);
      // Reviewers read the agent's reason; the tool never got it.
      const seen = await view(actionId as string);
      expect(seen).toMatchObject({ status: 'pending_review' });
      expect(((await stack.call('alice', 'GET', `/v1/actions/${actionId}`)).json() as { justification: string; params: object }).justification).toBe(
        'the nightly report needs this file',
      );
      expect((await view(actionId as string)) as unknown as { params: object }).toMatchObject({ params: { path, content: 'approved content' } });
      expect(Object.keys(((await view(actionId as string)) as unknown as { params: object }).params).sort()).toEqual(['content', 'path']);

      expect((await stack.call('alice', 'POST', `/v1/actions/${actionId}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
      const later = (await agent.callTool({ name: 'get_action', arguments: { id: actionId, wait_seconds: 20 } })) as CallToolResult;
      expect(text(later)).toContain('Successfully wrote');
      expect(readFileSync(path, 'utf8')).toBe('approved content');
    });

    it('returns the tool’s answer to the waiting call itself when the approval comes within the wait', async () => {
      const path = join(dir, `agent-wait-${randomUUID()}.txt`);
      const progress: string[] = [];
      const call = agent.callTool({ name: 'fs__write_file', arguments: { path, content: 'approved while waiting' } }, undefined, {
        onprogress: (update) => progress.push(update.message ?? ''),
      }) as Promise<CallToolResult>;
      const pending = await pendingWrite(path);
      // The agent's client heard at once that the call waits for review.
      await eventually(() => progress.includes(`${pending.id} is pending_review`), 5_000);
      expect((await stack.call('bob', 'POST', `/v1/actions/${pending.id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
      const result = await call;
      expect(result.isError).toBeFalsy();
      expect(text(result)).toContain('Successfully wrote');
      expect(readFileSync(path, 'utf8')).toBe('approved while waiting');
    });

    it('answers a denied call as an error with the policy’s reason, and a rejected one with the reviewer’s', async () => {
      const denied = (await agent.callTool({ name: 'fs__write_file', arguments: { path: join(dir, 'secret.txt'), content: 'x' } })) as CallToolResult;
      expect(denied.isError).toBe(true);
      expect(text(denied)).toContain('Nothing with secret in its path');

      const path = join(dir, `agent-rejected-${randomUUID()}.txt`);
      const call = agent.callTool({ name: 'fs__write_file', arguments: { path, content: 'never' } }) as Promise<CallToolResult>;
      const pending = await pendingWrite(path);
      expect((await stack.call('bob', 'POST', `/v1/actions/${pending.id}/decisions`, { decision: 'reject', comment: 'wrong folder' })).statusCode).toBe(200);
      const rejected = await call;
      expect(rejected.isError).toBe(true);
      expect(text(rejected)).toContain('rejected by bob: wrong folder');
      expect(existsSync(path)).toBe(false);
    });
  });
});
