import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  RELATED_TASK_META_KEY,
  type CallToolResult,
  type CreateTaskResult,
} from '@modelcontextprotocol/sdk/types.js';
import { toolText as text } from '../../mcp/tool-text';
import type { ActionState } from '../../domain/types';
import { createMcpHttpServer } from '../../mcp/http-server';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { httpAgentTransport, MCP_STDIO_ENTRY, stdioAgentTransport } from '../support/mcp-agent';
import { FILESYSTEM_ENTRY, stdioServer, writeGatewayFile } from '../support/gateway-file';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';

/*
 * MCP Tasks on gateway tool calls, end to end: the SDK's Client as the agent, Airlock's MCP server
 * (Streamable HTTP in-process, stdio as the built process), the API and a worker in front of a
 * real @modelcontextprotocol/server-filesystem. The task id is the action id, so a fresh server
 * and client carry on with a task another one created.
 */

const POLICY_FILE = join(PROJECT_ROOT, 'test/fixtures/policy-gateway.yaml');
const CALL_WAIT_SECONDS = 8;

interface View {
  id: string;
  status: string;
  justification: string;
  params: Record<string, unknown>;
  cancellation: { by: string; reason?: string } | null;
}

/** One connection of an agent to Airlock's MCP server; `close` ends the client and the server it started. */
interface Agent {
  client: Client;
  /** Where it reached the server: a port for HTTP, a process id for stdio. */
  where: number | undefined;
  close(): Promise<void>;
}

describe('MCP tasks on gateway tool calls: the task id is the action id', () => {
  let stack: Stack;
  let dir: string;
  let configDir: string;

  beforeAll(async () => {
    // server-filesystem compares real paths: the allowed folder is given as one.
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-tasks-files-')));
    configDir = mkdtempSync(join(tmpdir(), 'airlock-tasks-config-'));
    const gatewayFile = writeGatewayFile(configDir, [stdioServer('fs', FILESYSTEM_ENTRY, [dir])]);
    stack = await startStack(await bundleWorkflows(), { policyFile: POLICY_FILE, gatewayFile });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  });

  /** A fresh connection each time: for HTTP a freshly started MCP HTTP server on a port of its own, for stdio a fresh process. */
  const connections: Record<string, (principal: string) => Promise<Agent>> = {
    'streamable HTTP': async (principal) => {
      const http = createMcpHttpServer({ airlockUrl: stack.baseUrl, callWaitSeconds: CALL_WAIT_SECONDS, log: () => undefined });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const port = (http.address() as AddressInfo).port;
      const client = new Client({ name: 'tasks-test-agent', version: '1.0.0' });
      await client.connect(httpAgentTransport(new URL(`http://127.0.0.1:${port}/mcp`), stack.keys[principal] as string));
      return {
        client,
        where: port,
        close: async () => {
          await client.close();
          http.closeAllConnections();
          await new Promise((resolve) => http.close(resolve));
        },
      };
    },
    stdio: async (principal) => {
      if (!existsSync(MCP_STDIO_ENTRY)) throw new Error(`${MCP_STDIO_ENTRY} is missing: npm test builds it (npm run build)`);
      const transport = stdioAgentTransport(stack.baseUrl, stack.keys[principal] as string, { AIRLOCK_MCP_CALL_WAIT_SECONDS: String(CALL_WAIT_SECONDS) });
      const client = new Client({ name: 'tasks-test-agent', version: '1.0.0' });
      await client.connect(transport);
      return { client, where: transport.pid ?? undefined, close: () => client.close() };
    },
  };

  const view = async (id: string): Promise<View> => (await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json() as View;
  const final = async (id: string): Promise<View> => {
    await stack.client.workflow.getHandle<() => Promise<ActionState>>(id).result();
    return view(id);
  };

  /** tools/call with `task`, as a client that opted in sends it. */
  const callAsTask = (client: Client, name: string, args: Record<string, unknown>): Promise<CreateTaskResult> =>
    client.request({ method: 'tools/call', params: { name, arguments: args, task: { ttl: 600_000 } } }, CreateTaskResultSchema);

  const writeTask = (client: Client, path: string, content: string) =>
    callAsTask(client, 'fs__write_file', { path, content, airlock_justification: 'the nightly report needs this file' });

  describe.each(Object.keys(connections))('over %s', (kind) => {
    const connect = (principal: string) => (connections[kind] as (principal: string) => Promise<Agent>)(principal);
    const open: Agent[] = [];
    const agent = async (principal = 'etl-bot'): Promise<Agent> => {
      const connected = await connect(principal);
      // Closed once, whether by the test (a restart) or after it.
      let closing: Promise<void> | undefined;
      const once = { ...connected, close: () => (closing ??= connected.close()) };
      open.push(once);
      return once;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((connected) => connected.close()));
    });

    it('advertises tasks, and gateway tools as optional tasks', async () => {
      const { client } = await agent();
      expect(client.getServerCapabilities()?.tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
      const tools = (await client.listTools()).tools;
      expect(tools.find((tool) => tool.name === 'fs__write_file')?.execution).toEqual({ taskSupport: 'optional' });
      expect(tools.find((tool) => tool.name === 'get_action')?.execution).toEqual({ taskSupport: 'forbidden' });
    });

    it('answers a write at once with a task that is the action, and a fresh server and client carry it to the tool’s answer once approved', async () => {
      const path = join(dir, `task-write-${randomUUID()}.txt`);
      const first = await agent();
      const created = await writeTask(first.client, path, 'written as a task');
      const taskId = created.task.taskId;
      expect(taskId).toMatch(/^action-mcp\.fs\.write_file-[a-z2-9]{16}$/);
      expect(created.task).toMatchObject({ status: 'working', ttl: 86_400_000, pollInterval: 5000 });
      // The task id is the action id: the API knows it, pending review, with the agent's reason.
      expect(await view(taskId)).toMatchObject({ id: taskId, status: 'pending_review', justification: 'the nightly report needs this file' });
      const pending = await first.client.experimental.tasks.getTask(taskId);
      expect(pending.status).toBe('working');
      expect(pending.statusMessage).toContain('waiting for 1 approval from alice or bob');
      expect(existsSync(path)).toBe(false);

      // A new server and a new client, which never saw the call; the first is gone.
      const second = await agent();
      expect(second.where).not.toBe(first.where);
      await first.close();
      expect(await second.client.experimental.tasks.getTask(taskId)).toMatchObject({ taskId, status: 'working' });
      let settled = false;
      const answer = second.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(settled).toBe(false); // tasks/result blocks while the task is working

      expect((await stack.call('alice', 'POST', `/v1/actions/${taskId}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
      const result = await answer;
      expect(result.isError).toBeFalsy();
      expect(text(result as CallToolResult)).toContain('Successfully wrote');
      expect(result._meta).toEqual({ [RELATED_TASK_META_KEY]: { taskId } });
      expect(readFileSync(path, 'utf8')).toBe('written as a task');
      const done = await second.client.experimental.tasks.getTask(taskId);
      expect(done.status).toBe('completed');
      expect(done.statusMessage).toContain('succeeded');
    });

    it('hides the task from another agent: it can neither read, wait for nor cancel it', async () => {
      const path = join(dir, `task-foreign-${randomUUID()}.txt`);
      const owner = await agent();
      const { taskId } = (await writeTask(owner.client, path, 'not for other-bot')).task;
      const other = await agent('other-bot');
      for (const attempt of [
        () => other.client.experimental.tasks.getTask(taskId),
        () => other.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema),
        () => other.client.experimental.tasks.cancelTask(taskId),
      ]) {
        await expect(attempt()).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('Task not found') });
      }
      expect((await view(taskId)).status).toBe('pending_review');
      expect((await owner.client.experimental.tasks.getTask(taskId)).status).toBe('working');
      await owner.client.experimental.tasks.cancelTask(taskId); // tidy: nobody will review it
    });

    it('cancels a pending call with tasks/cancel: the action is cancelled and the file never appears', async () => {
      const path = join(dir, `task-cancel-${randomUUID()}.txt`);
      const { client } = await agent();
      const { taskId } = (await writeTask(client, path, 'must never appear')).task;
      const cancelled = await client.experimental.tasks.cancelTask(taskId);
      expect(cancelled).toMatchObject({ taskId, status: 'cancelled' });
      expect(await final(taskId)).toMatchObject({ status: 'cancelled', cancellation: { by: 'etl-bot', reason: 'Cancelled by the agent (MCP tasks/cancel).' } });
      expect((await client.experimental.tasks.getTask(taskId)).status).toBe('cancelled');
      const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
      expect(result.isError).toBe(true);
      expect(text(result as CallToolResult)).toContain('was cancelled by etl-bot');
      await expect(client.experimental.tasks.cancelTask(taskId)).rejects.toMatchObject({
        code: -32602,
        message: expect.stringContaining("already in terminal status 'cancelled'"),
      });
      expect(existsSync(path)).toBe(false);
    });

    it('makes a call policy denies a task that has failed, its result the policy’s reason', async () => {
      const { client } = await agent();
      const { taskId } = (await writeTask(client, join(dir, 'secret.txt'), 'x')).task;
      const task = await client.experimental.tasks.getTask(taskId);
      expect(task.status).toBe('failed');
      expect(task.statusMessage).toContain('Nothing with secret in its path');
      const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
      expect(result.isError).toBe(true);
      expect(text(result as CallToolResult)).toContain('Nothing with secret in its path');
    });

    it('runs a read through the SDK’s own task flow (callToolStream) to the file’s content', async () => {
      const path = join(dir, `task-read-${randomUUID()}.txt`);
      writeFileSync(path, `read as a task over ${kind}`);
      const { client } = await agent();
      const seen: string[] = [];
      let result: CallToolResult | undefined;
      const stream = client.experimental.tasks.callToolStream({ name: 'fs__read_text_file', arguments: { path } }, CallToolResultSchema, { task: {} });
      for await (const message of stream) {
        seen.push(message.type);
        if (message.type === 'error') throw message.error;
        if (message.type === 'result') result = message.result as CallToolResult;
      }
      expect(seen[0]).toBe('taskCreated');
      expect(seen.at(-1)).toBe('result');
      expect(text(result as CallToolResult)).toBe(`read as a task over ${kind}`);
    });
  });
});
