import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toolText as text } from '../../mcp/tool-text';
import type { ActionState } from '../../domain/types';
import { createMcpHttpServer } from '../../mcp/http-server';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { FILESYSTEM_ENTRY, stdioServer, writeGatewayFile } from '../support/gateway-file';
import { eventually } from '../support/eventually';
import { httpAgentTransport } from '../support/mcp-agent';
import { ProcessStack } from '../support/process-stack';

/*
 * The gateway as separate processes (API, worker, each with its own connection to the downstream
 * servers; the agent's MCP server in front): a call waiting for review survives every one of them
 * being killed, and a call that was sent when its worker died is never sent again.
 */

const LEDGER_ENTRY = join(PROJECT_ROOT, 'test/fixtures/mcp/ledger-server.mjs');
const POLICY_FILE = join(PROJECT_ROOT, 'test/fixtures/policy-gateway.yaml');

/** Airlock's MCP server over HTTP in front of the API, on a free port. */
async function startMcpFront(apiUrl: string): Promise<{ url: URL; server: Server }> {
  const server = createMcpHttpServer({ airlockUrl: apiUrl, callWaitSeconds: 2, log: () => undefined });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`) };
}

async function stopMcpFront(front: { server: Server } | undefined): Promise<void> {
  front?.server.closeAllConnections();
  await new Promise((resolve) => (front ? front.server.close(resolve) : resolve(undefined)));
}

async function agentOn(url: URL, key: string): Promise<Client> {
  const agent = new Client({ name: 'restart-test-agent', version: '1.0.0' });
  await agent.connect(httpAgentTransport(url, key));
  return agent;
}

describe('MCP gateway across restarts and crashes', () => {
  let stack: ProcessStack;
  let dir: string;
  let front: { url: URL; server: Server } | undefined;

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-gateway-restart-')));
    const gatewayFile = writeGatewayFile(dir, [stdioServer('fs', FILESYSTEM_ENTRY, [dir]), stdioServer('ledger', LEDGER_ENTRY)]);
    stack = await ProcessStack.start({ policyFile: POLICY_FILE, env: { AIRLOCK_GATEWAY_FILE: gatewayFile } });
  }, 120_000);
  afterAll(async () => {
    await stopMcpFront(front);
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a call waiting for review through a kill of the worker, the API and the agent’s MCP server', async () => {
    front = await startMcpFront(stack.apiUrl);
    const agent = await agentOn(front.url, stack.keys['etl-bot'] as string);
    const path = join(dir, `survives-${randomUUID()}.txt`);
    const pending = (await agent.callTool({ name: 'fs__write_file', arguments: { path, content: 'written after the restarts' } })) as CallToolResult;
    const actionId = /action-mcp\.fs\.write_file-[a-z2-9]{16}/.exec(text(pending))?.[0] as string;
    expect(actionId).toBeDefined();
    await agent.close();

    // Everything between the agent and the server goes down hard, and comes back.
    await stopMcpFront(front);
    await stack.killWorker();
    await stack.restartApi();
    await stack.startWorker();
    expect(existsSync(path)).toBe(false);

    expect((await stack.call('alice', 'POST', `/v1/actions/${actionId}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    front = await startMcpFront(stack.apiUrl);
    const again = await agentOn(front.url, stack.keys['etl-bot'] as string);
    const result = (await again.callTool({ name: 'get_action', arguments: { id: actionId, wait_seconds: 30 } })) as CallToolResult;
    expect(text(result)).toContain('Successfully wrote');
    expect(readFileSync(path, 'utf8')).toBe('written after the restarts');
    await again.close();
  }, 120_000);

  it('never sends a call again when its worker died after sending it: the action fails, the server saw it once', async () => {
    const ledger = join(dir, `ledger-${randomUUID()}.txt`);
    const created = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 'mcp.ledger.record',
      params: { ledger, line: 'paid invoice 42', delayMs: 30_000 },
      justification: 'exactly-once test',
    });
    const { id } = created.json() as { id: string };
    expect((await stack.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    // The server has done what the call asks and is still answering: the worker dies now.
    await eventually(() => existsSync(ledger) && readFileSync(ledger, 'utf8') === 'paid invoice 42\n', 20_000);
    await stack.killWorker();
    await stack.startWorker();

    const final = await stack.client.workflow.getHandle<() => Promise<ActionState>>(id).result();
    expect(final.status).toBe('failed');
    // A second worker had every chance to call again; the ledger says it did not.
    expect(readFileSync(ledger, 'utf8')).toBe('paid invoice 42\n');
  }, 120_000);
});
