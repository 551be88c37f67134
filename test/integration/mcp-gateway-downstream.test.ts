import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { toolText as text } from '../../mcp/tool-text';
import { ArgumentValidator } from '../../mcp/gateway/arguments';
import type { StdioServerConfig } from '../../mcp/gateway/config';
import { Downstream, type ServerStatus } from '../../mcp/gateway/downstream';
import { DownstreamCallError, InvalidArgumentsError, ServerUnavailableError, UnknownToolError } from '../../mcp/gateway/errors';
import { parseGatewayConfig } from '../../mcp/gateway/load';
import type { DownstreamTool } from '../../mcp/gateway/tools';
import { spawnEnv } from '../../mcp/gateway/transport';
import { freePort } from '../../net/free-port';
import { ManagedProcess, waitForPort } from '../../scripts/lib/managed-process';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { eventually } from '../support/eventually';
import { EVERYTHING_ENTRY, FILESYSTEM_ENTRY } from '../support/gateway-file';

/*
 * The gateway's downstream side against the two reference MCP servers, run as real processes:
 * server-filesystem over stdio, server-everything over stdio and over Streamable HTTP.
 */

const PAGED_ENTRY = join(PROJECT_ROOT, 'test/fixtures/mcp/paged-tools-server.mjs');

const CANARY = 'canary-value-1b6f0d2e';
const DOWNSTREAM_SECRET = 'downstream-secret-8c4e17a9';
const HTTP_AUTH = 'Bearer http-auth-5d03b6f1';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function statusOf(downstream: Downstream, name: string): ServerStatus {
  const status = downstream.status().find((server) => server.name === name);
  if (!status) throw new Error(`no server ${name}`);
  return status;
}

function pidOf(downstream: Downstream, name: string): number {
  const pid = statusOf(downstream, name).pid;
  if (pid === undefined) throw new Error(`server ${name} has no running process`);
  return pid;
}

function toolOf(downstream: Downstream, name: string): DownstreamTool {
  const tool = downstream.tool(name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the promise resolved');
}

/** server-everything over Streamable HTTP on `port` (it reads PORT). */
async function startEverythingHttp(port: number): Promise<ManagedProcess> {
  const proc = ManagedProcess.start('server-everything', process.execPath, [EVERYTHING_ENTRY, 'streamableHttp'], {
    env: { PATH: process.env.PATH, PORT: String(port) },
  });
  await waitForPort(proc, '127.0.0.1', port, 10_000);
  return proc;
}

interface HeaderProxy {
  url: string;
  requests: { method: string; headers: IncomingHttpHeaders }[];
  stop(): Promise<void>;
}

/** A pass-through HTTP proxy that keeps each request's method and headers (SSE answers stream through). */
async function headerProxy(targetPort: number): Promise<HeaderProxy> {
  const requests: HeaderProxy['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', headers: req.headers });
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolveClose) => server.close(resolveClose));
    },
  };
}

const q = (value: string): string => JSON.stringify(value);

describe('MCP gateway: downstream servers', () => {
  let dataDir: string;
  let everythingHttp: ManagedProcess;
  let lateHttp: ManagedProcess | undefined;
  let latePort: number;
  let proxy: HeaderProxy;
  let downstream: Downstream;
  const logs: string[] = [];
  /** Every stdio server process the gateway ran, for the close() check. */
  const pids = new Set<number>();
  const rememberPids = (of: Downstream): void => of.status().forEach((server) => server.pid !== undefined && pids.add(server.pid));

  beforeAll(async () => {
    // Set before the gateway starts: a variable of its own environment that must never reach a server.
    process.env.AIRLOCK_TEST_CANARY = CANARY;
    process.env.AIRLOCK_TEST_GATEWAY_SECRET = DOWNSTREAM_SECRET;
    process.env.AIRLOCK_TEST_GATEWAY_AUTH = HTTP_AUTH;
    dataDir = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-gateway-files-')));
    const [httpPort, port] = await Promise.all([freePort(), freePort()]);
    latePort = port;
    everythingHttp = await startEverythingHttp(httpPort);
    proxy = await headerProxy(httpPort);
    const config = parseGatewayConfig(
      `version: 1
servers:
  files:
    transport: stdio
    command: ${q(process.execPath)}
    args: [${q(FILESYSTEM_ENTRY)}, ${q(dataDir)}]
  everything:
    transport: stdio
    command: ${q(process.execPath)}
    args: [${q(EVERYTHING_ENTRY)}, stdio]
    env: { GATEWAY_PLAIN: plain-value, GATEWAY_SECRET: { fromEnv: AIRLOCK_TEST_GATEWAY_SECRET } }
    timeout: 2s
  everything-http:
    transport: http
    url: ${proxy.url}
    headers: { Authorization: { fromEnv: AIRLOCK_TEST_GATEWAY_AUTH }, X-Team: data }
  late:
    transport: http
    url: http://127.0.0.1:${latePort}/mcp
`,
      'gateway.yaml',
    );
    downstream = await Downstream.start(config, { log: (line) => logs.push(line) });
    rememberPids(downstream);
  });

  afterEach(() => rememberPids(downstream));

  afterAll(async () => {
    await downstream?.close();
    await proxy?.stop();
    await everythingHttp?.stop();
    await lateHttp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    delete process.env.AIRLOCK_TEST_CANARY;
    delete process.env.AIRLOCK_TEST_GATEWAY_SECRET;
    delete process.env.AIRLOCK_TEST_GATEWAY_AUTH;
  });

  test('a server that is down is reported unavailable by name; the gateway starts and the others work', async () => {
    expect(downstream.status().map(({ name, transport, state }) => ({ name, transport, state }))).toEqual([
      { name: 'files', transport: 'stdio', state: 'ready' },
      { name: 'everything', transport: 'stdio', state: 'ready' },
      { name: 'everything-http', transport: 'http', state: 'ready' },
      { name: 'late', transport: 'http', state: 'unavailable' },
    ]);
    expect(statusOf(downstream, 'late').reason).toMatch(/fetch failed: connect ECONNREFUSED/);
    expect(logs.some((line) => line.startsWith('MCP server late is unavailable: fetch failed'))).toBe(true);
    expect(downstream.tools().filter((tool) => tool.server === 'late')).toEqual([]);

    const err = await rejection(downstream.callTool('mcp.late.echo', { message: 'hi' }));
    expect(err).toBeInstanceOf(ServerUnavailableError);
    expect(err).toMatchObject({ server: 'late', code: 'server_unavailable' });
    expect(err.message).toMatch(/^MCP server late is unavailable: fetch failed/);

    expect(text(await downstream.callTool('mcp.everything-http.echo', { message: 'over http' }))).toBe('Echo: over http');
    expect(text(await downstream.callTool('mcp.everything.echo', { message: 'over stdio' }))).toBe('Echo: over stdio');
  });

  test('tools are namespaced by server, with schemas and annotations exactly as each server lists them', async () => {
    // The filesystem server's own list, read by a client of our own, is what the gateway must show.
    const direct = new Client({ name: 'direct', version: '1' });
    await direct.connect(new StdioClientTransport({ command: process.execPath, args: [FILESYSTEM_ENTRY, dataDir], stderr: 'ignore' }));
    const listed = (await direct.listTools()).tools;
    await direct.close();
    const files = downstream.tools().filter((tool) => tool.server === 'files');
    expect(files.map((tool) => tool.name)).toEqual(listed.map((tool) => `mcp.files.${tool.name}`).sort());
    for (const tool of listed) {
      const { name, ...rest } = tool;
      expect(downstream.tool(`mcp.files.${name}`)).toEqual({ name: `mcp.files.${name}`, server: 'files', tool: name, ...rest });
    }

    // What server-filesystem really says of reading and writing.
    expect(toolOf(downstream, 'mcp.files.read_file').annotations).toEqual({ readOnlyHint: true, openWorldHint: false });
    expect(toolOf(downstream, 'mcp.files.write_file').annotations).toEqual({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect(toolOf(downstream, 'mcp.files.edit_file').annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false });
    expect(toolOf(downstream, 'mcp.files.write_file').inputSchema).toMatchObject({
      type: 'object',
      required: ['path', 'content'],
      $schema: 'http://json-schema.org/draft-07/schema#',
    });
    expect(toolOf(downstream, 'mcp.files.read_file').outputSchema).toBeDefined();

    // server-everything offers the same tools over both transports.
    const names = (server: string) =>
      downstream
        .tools()
        .filter((tool) => tool.server === server)
        .map((tool) => tool.tool);
    expect(names('everything')).toEqual(names('everything-http'));
    expect(names('everything')).toEqual(expect.arrayContaining(['echo', 'get-env', 'get-structured-content', 'trigger-long-running-operation']));
    expect(toolOf(downstream, 'mcp.everything-http.echo')).toMatchObject({
      description: 'Echoes back the input string',
      inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    });
    expect(toolOf(downstream, 'mcp.everything.get-structured-content').outputSchema).toMatchObject({ type: 'object' });
    expect(toolOf(downstream, 'mcp.everything.simulate-research-query').execution).toEqual({ taskSupport: 'required' });
  });

  test('write_file then read_file, the arguments first checked against the real schema', async () => {
    const validator = new ArgumentValidator();
    const writeFile = toolOf(downstream, 'mcp.files.write_file');
    const path = join(dataDir, 'note.txt');
    const content = `written through the gateway ${Date.now()}\n`;

    const invalid = (() => {
      try {
        validator.validate(writeFile, { path });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(invalid).toBeInstanceOf(InvalidArgumentsError);
    expect((invalid as InvalidArgumentsError).issues).toEqual(['arguments.content: required']);
    expect(existsSync(path)).toBe(false);

    const args = validator.validate(writeFile, { path, content });
    const written = await downstream.callTool('mcp.files.write_file', args);
    expect(written.isError).toBeFalsy();
    expect(readFileSync(path, 'utf8')).toBe(content);

    const read = await downstream.callTool('mcp.files.read_file', validator.validate(toolOf(downstream, 'mcp.files.read_file'), { path }));
    expect(read.isError).toBeFalsy();
    expect(text(read)).toBe(content);

    // The tool's own refusal is a result with isError, passed on as the server gave it.
    const outside = join(tmpdir(), `airlock-outside-${Date.now()}.txt`);
    const refused = await downstream.callTool('mcp.files.write_file', { path: outside, content: 'no' });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/outside allowed directories/i);
    expect(existsSync(outside)).toBe(false);
  });

  test('unknown servers and tools are named in the error', async () => {
    const noTool = await rejection(downstream.callTool('mcp.files.delete_everything', {}));
    expect(noTool).toBeInstanceOf(UnknownToolError);
    expect(noTool.message).toBe('unknown tool mcp.files.delete_everything: server files has no tool "delete_everything"');
    const noServer = await rejection(downstream.callTool('mcp.github.create_issue', {}));
    expect(noServer).toBeInstanceOf(UnknownToolError);
    expect(noServer.message).toBe('unknown tool mcp.github.create_issue: no server named github (servers: files, everything, everything-http, late)');
    expect((await rejection(downstream.callTool('s3.copyObject', {}))).message).toBe('unknown tool s3.copyObject: gateway tool names are mcp.<server>.<tool>');
  });

  test("the downstream environment is minimal: the gateway's own variables never reach a server", async () => {
    const seen = JSON.parse(text(await downstream.callTool('mcp.everything.get-env', {}))) as Record<string, string>;
    expect(seen.AIRLOCK_TEST_CANARY).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(CANARY);
    // The integration run's own signing key is in this process's environment: not in the server's.
    expect(process.env.AIRLOCK_TEST_IDENTITY_SIGNING_KEY).toBeDefined();
    expect(Object.keys(seen).filter((key) => key.startsWith('AIRLOCK_'))).toEqual([]);
    expect(seen.GATEWAY_PLAIN).toBe('plain-value');
    expect(seen.GATEWAY_SECRET).toBe(DOWNSTREAM_SECRET);
    expect(seen.PATH).toBe(process.env.PATH);
    // Exactly the environment the gateway built, nothing inherited besides.
    const everything = downstream.status().find((server) => server.name === 'everything');
    expect(everything?.state).toBe('ready');
    const config = parseGatewayConfig(
      `version: 1\nservers:\n  everything:\n    transport: stdio\n    command: node\n    env: { GATEWAY_PLAIN: plain-value, GATEWAY_SECRET: { fromEnv: AIRLOCK_TEST_GATEWAY_SECRET } }\n`,
      'gateway.yaml',
    );
    expect(Object.keys(seen).sort()).toEqual(Object.keys(spawnEnv(config.servers[0] as StdioServerConfig)).sort());
  });

  test('HTTP: the configured headers go with every request, the secret resolved', async () => {
    expect(text(await downstream.callTool('mcp.everything-http.echo', { message: 'with headers' }))).toBe('Echo: with headers');
    const posts = proxy.requests.filter((request) => request.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(3); // initialize, initialized, tools/list, calls
    for (const request of proxy.requests) {
      expect(request.headers.authorization).toBe(HTTP_AUTH);
      expect(request.headers['x-team']).toBe('data');
    }
  });

  test('a stdio server killed between calls is started again for the next call, once', async () => {
    const before = pidOf(downstream, 'files');
    process.kill(before, 'SIGKILL');
    await eventually(() => statusOf(downstream, 'files').state === 'disconnected', 5_000);
    expect(downstream.tools().some((tool) => tool.server === 'files')).toBe(true); // still offered: it comes back on the next call

    const result = await downstream.callTool('mcp.files.list_allowed_directories', {});
    expect(text(result)).toContain(dataDir);
    const after = pidOf(downstream, 'files');
    expect(after).not.toBe(before);
    expect(isRunning(before)).toBe(false);
    expect(logs.filter((line) => line.startsWith('MCP server files connected'))).toHaveLength(2);
  });

  test('a stdio server that cannot start again is unavailable, with its own words from stderr', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-gateway-fragile-')));
    const fragileLogs: string[] = [];
    const fragile = await Downstream.start(
      parseGatewayConfig(
        `version: 1\nservers:\n  fragile:\n    transport: stdio\n    command: ${q(process.execPath)}\n    args: [${q(FILESYSTEM_ENTRY)}, ${q(dir)}]\n`,
        'gateway.yaml',
      ),
      { log: (line) => fragileLogs.push(line) },
    );
    try {
      const pid = pidOf(fragile, 'fragile');
      rmSync(dir, { recursive: true });
      process.kill(pid, 'SIGKILL');
      await eventually(() => statusOf(fragile, 'fragile').state === 'disconnected', 5_000);
      const err = await rejection(fragile.callTool('mcp.fragile.list_allowed_directories', {}));
      expect(err).toBeInstanceOf(ServerUnavailableError);
      expect(err.message).toMatch(/^MCP server fragile is unavailable: .*None of the specified directories are accessible/);
      expect(statusOf(fragile, 'fragile')).toMatchObject({ state: 'unavailable', tools: 0 });
      expect(fragile.tools()).toEqual([]);
      expect(fragileLogs.filter((line) => line.startsWith('MCP server fragile is unavailable'))).toHaveLength(1);
    } finally {
      await fragile.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a server that dies during a call: the call fails as no_response and is not sent again; the next call reconnects', async () => {
    const before = pidOf(downstream, 'everything');
    // One second of work: sent again to the new process, it would have succeeded well within the 2 s timeout.
    const call = downstream.callTool('mcp.everything.trigger-long-running-operation', { duration: 1, steps: 1 });
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    process.kill(before, 'SIGKILL');
    const err = await rejection(call);
    expect(err).toBeInstanceOf(DownstreamCallError);
    expect(err).toMatchObject({ failure: 'no_response', tool: 'mcp.everything.trigger-long-running-operation' });
    expect(err.message).toMatch(/the connection to everything closed during the call/);
    expect(statusOf(downstream, 'everything').state).toBe('disconnected');

    expect(text(await downstream.callTool('mcp.everything.echo', { message: 'back' }))).toBe('Echo: back');
    expect(pidOf(downstream, 'everything')).not.toBe(before);
  });

  test("a call with no answer within the server's timeout fails as no_response; the connection stays", async () => {
    const pid = pidOf(downstream, 'everything');
    const started = Date.now();
    const err = await rejection(downstream.callTool('mcp.everything.trigger-long-running-operation', { duration: 4, steps: 1 }));
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(DownstreamCallError);
    expect(err).toMatchObject({ failure: 'no_response' });
    expect(err.message).toBe('mcp.everything.trigger-long-running-operation failed (no response): no answer within 2000 ms');
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(3_500);
    expect(text(await downstream.callTool('mcp.everything.echo', { message: 'still here' }))).toBe('Echo: still here');
    expect(pidOf(downstream, 'everything')).toBe(pid);
  });

  test('an HTTP server that comes up late is connected; one that restarts gets a new session', async () => {
    lateHttp = await startEverythingHttp(latePort);
    await downstream.retryUnavailable();
    expect(statusOf(downstream, 'late').state).toBe('ready');
    expect(downstream.tool('mcp.late.echo')).toBeDefined();
    expect(text(await downstream.callTool('mcp.late.echo', { message: 'late' }))).toBe('Echo: late');

    await lateHttp.stop();
    const err = await rejection(downstream.callTool('mcp.late.echo', { message: 'gone' }));
    expect(err).toBeInstanceOf(DownstreamCallError);
    expect(err).toMatchObject({ failure: 'no_response' });
    expect(statusOf(downstream, 'late').state).toBe('disconnected');

    // The new process knows nothing of the old session: the gateway must initialize a new one.
    lateHttp = await startEverythingHttp(latePort);
    expect(text(await downstream.callTool('mcp.late.echo', { message: 'again' }))).toBe('Echo: again');
    expect(statusOf(downstream, 'late').state).toBe('ready');
  });

  test('tools/list is followed across pages, again when the server says its list changed; a cursor that repeats makes that server unavailable', async () => {
    const paged = await Downstream.start(
      parseGatewayConfig(
        `version: 1
servers:
  paged:
    transport: stdio
    command: ${q(process.execPath)}
    args: [${q(PAGED_ENTRY)}]
  looping:
    transport: stdio
    command: ${q(process.execPath)}
    args: [${q(PAGED_ENTRY)}, loop]
`,
        'gateway.yaml',
      ),
      { log: () => undefined },
    );
    try {
      const names = () => paged.tools().map((tool) => tool.tool);
      expect(names()).toEqual(['grow', 't1', 't2', 't3', 't4']);
      expect(text(await paged.callTool('mcp.paged.t4', {}))).toBe('called t4');
      // The new tool lands on the third page: found only if the relisting follows the cursor too.
      expect(text(await paged.callTool('mcp.paged.grow', {}))).toBe('called grow');
      await eventually(() => names().includes('t5'), 5_000);
      expect(names()).toEqual(['grow', 't1', 't2', 't3', 't4', 't5']);
      expect(text(await paged.callTool('mcp.paged.t5', {}))).toBe('called t5');
      expect(statusOf(paged, 'looping')).toMatchObject({ state: 'unavailable', reason: 'tools/list returned the cursor "again" twice' });
    } finally {
      await paged.close();
    }
  });

  test('close() ends every stdio server process and the HTTP sessions', async () => {
    rememberPids(downstream);
    expect(pids.size).toBeGreaterThanOrEqual(4); // files and everything, each started twice
    const deletes = () => proxy.requests.filter((request) => request.method === 'DELETE').length;
    expect(deletes()).toBe(0);

    await downstream.close();

    expect([...pids].filter(isRunning)).toEqual([]);
    expect(deletes()).toBe(1);
    expect(downstream.status().map((server) => server.state)).toEqual(['closed', 'closed', 'closed', 'closed']);
    const err = await rejection(downstream.callTool('mcp.files.read_file', { path: join(dataDir, 'note.txt') }));
    expect(err).toBeInstanceOf(ServerUnavailableError);
    expect(err.message).toBe('MCP server files is unavailable: the gateway is closing');
  });
});
