import { isNativeError } from 'node:util/types';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError, type StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ErrorCode, McpError, ResultSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { RELEASE } from '../../config/release';
import type { ServerConfig } from './config';
import { DownstreamCallError, ServerUnavailableError, UnknownToolError } from './errors';
import { gatewayToolName, toDownstreamTools, type DownstreamTool, type SkippedTool } from './tools';
import { openTransport, type DownstreamTransport } from './transport';

/** tools/list pages followed before a server is taken to be looping. */
const MAX_TOOL_PAGES = 100;
/** How long close() waits for a stdio server to exit before it kills it. */
const EXIT_GRACE_MS = 5_000;
/** How long close() gives an HTTP server to acknowledge the end of the session. */
const TERMINATE_SESSION_MS = 2_000;

/** One connection (a child process, or an HTTP session) and the calls in flight on it. */
interface Session {
  client: Client;
  handle: DownstreamTransport;
  inflight: number;
  /** The connection ended (the child exited) or failed at transport level: the next call starts a new one. */
  broken: boolean;
  /** Replaced by a newer session: closed once its last call has returned. */
  retired: boolean;
}

/**
 * `ready`: connected, tools listed. `disconnected`: the connection ended since; the next call
 * reconnects. `unavailable`: the last attempt to connect or list failed (`reason` says why); the
 * next call tries again, once. `closed`: close() was called.
 */
export type ServerState = 'ready' | 'disconnected' | 'unavailable' | 'closed';

/** What the gateway knows of one server, for logs and health checks. */
export interface ServerStatus {
  name: string;
  transport: ServerConfig['transport'];
  state: ServerState;
  reason?: string;
  /** Tools offered (none while unavailable). */
  tools: number;
  skippedTools: SkippedTool[];
  /** The child's pid, for a stdio server that is running. */
  pid?: number;
}

export interface CallOptions {
  /** Aborts the call (MCP sends notifications/cancelled to the server). */
  signal?: AbortSignal;
}

/**
 * The gateway's connection to one downstream server. It connects when asked to (at start, and
 * again on the first call after the connection ended, one attempt per call) and never retries a
 * call on its own: a call that was sent may have run, and only the caller knows whether running it
 * twice is harmless.
 */
export class ServerConnection {
  private session: Session | undefined;
  private connecting: Promise<Session> | undefined;
  private listed = new Map<string, DownstreamTool>();
  private skipped: SkippedTool[] = [];
  private unavailable: string | undefined;
  private closed = false;

  constructor(
    readonly config: ServerConfig,
    private readonly log: (message: string) => void,
  ) {}

  /** The server's name in the config and in its tools' names. */
  get name(): string {
    return this.config.name;
  }

  /** Connected and listed, connecting first (once) when there is no live connection. Throws ServerUnavailableError. */
  async ready(): Promise<void> {
    await this.liveSession();
  }

  /** The tools offered now: none while the server is unavailable. */
  tools(): DownstreamTool[] {
    return this.unavailable === undefined ? [...this.listed.values()] : [];
  }

  /** Where the server stands, for logs and health checks. */
  status(): ServerStatus {
    const state: ServerState = this.closed
      ? 'closed'
      : this.unavailable !== undefined
        ? 'unavailable'
        : this.session && !this.session.broken
          ? 'ready'
          : 'disconnected';
    const pid = state === 'ready' ? this.session?.handle.pid() : undefined;
    return {
      name: this.name,
      transport: this.config.transport,
      state,
      ...(this.unavailable === undefined ? {} : { reason: this.unavailable }),
      tools: this.tools().length,
      skippedTools: [...this.skipped],
      ...(pid === undefined ? {} : { pid }),
    };
  }

  /** Calls the server's own tool `tool`; the result is the server's, unchanged. */
  async callTool(tool: string, args: Record<string, unknown>, options: CallOptions = {}): Promise<CallToolResult> {
    const name = gatewayToolName(this.name, tool);
    const session = await this.liveSession();
    if (!this.listed.has(tool)) throw new UnknownToolError(name, `server ${this.name} has no tool ${JSON.stringify(tool)}`);
    session.inflight++;
    let result: unknown;
    try {
      // The generic result schema, not CallToolResultSchema: a result that does not parse is told
      // apart from a failed request below. No output-schema check either: the result is passed on as the server gave it.
      result = await session.client.request({ method: 'tools/call', params: { name: tool, arguments: args } }, ResultSchema, {
        timeout: this.config.timeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (err) {
      throw this.callFailure(session, name, err, options.signal);
    } finally {
      session.inflight--;
      if (session.retired && session.inflight === 0) void closeSession(session);
    }
    const parsed = CallToolResultSchema.safeParse(result);
    if (!parsed.success) throw new DownstreamCallError(name, 'invalid_response', `not a tool result: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  }

  /** Closes the connection: a stdio server's process has exited when this returns. */
  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    const session = this.session;
    this.session = undefined;
    if (session) await closeSession(session);
  }

  private async liveSession(): Promise<Session> {
    if (this.closed) throw new ServerUnavailableError(this.name, 'the gateway is closing');
    if (this.session && !this.session.broken) return this.session;
    // Concurrent calls share one attempt.
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Session> {
    const previous = this.session;
    this.session = undefined;
    if (previous) this.retire(previous);

    const handle = openTransport(this.config);
    const client: Client = new Client(
      { name: 'airlock-gateway', version: RELEASE },
      {
        // The server says its tool list changed: list again (all pages), rather than the SDK's first page only.
        // The SDK debounces the notification; by then this session is the live one (or no longer matters).
        listChanged: { tools: { autoRefresh: false, onChanged: () => this.toolsChanged(client) } },
      },
    );
    const session: Session = { client, handle, inflight: 0, broken: false, retired: false };
    client.onclose = () => {
      session.broken = true;
    };
    // Transport errors also reject the request they belong to; this only keeps stray ones out of the process log.
    client.onerror = () => undefined;
    try {
      await client.connect(handle.transport, { timeout: this.config.timeoutMs });
      const listed = await this.listTools(client);
      if (this.closed) throw new Error('the gateway is closing');
      if (session.broken) throw new Error('the connection ended while listing tools');
      this.setTools(listed);
    } catch (err) {
      await closeSession(session);
      this.unavailable = describeFailure(err, handle.stderrTail());
      this.log(`MCP server ${this.name} is unavailable: ${this.unavailable}`);
      throw new ServerUnavailableError(this.name, this.unavailable);
    }
    this.session = session;
    this.unavailable = undefined;
    const pid = handle.pid();
    this.log(`MCP server ${this.name} connected (${this.config.transport}${pid === undefined ? '' : `, pid ${pid}`}): ${this.listed.size} tools`);
    return session;
  }

  /** Every page of tools/list. */
  private async listTools(client: Client): Promise<Tool[]> {
    const tools: Tool[] = [];
    const cursors = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const result = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: this.config.timeoutMs });
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (cursor === undefined) return tools;
      if (cursors.has(cursor)) throw new Error(`tools/list returned the cursor ${JSON.stringify(cursor)} twice`);
      cursors.add(cursor);
    }
    throw new Error(`tools/list did not end after ${MAX_TOOL_PAGES} pages`);
  }

  private setTools(listed: Tool[]): void {
    const { tools, skipped } = toDownstreamTools(this.name, listed);
    this.listed = new Map(tools.map((tool) => [tool.tool, tool]));
    this.skipped = skipped;
    for (const { tool, reason } of skipped) this.log(`MCP server ${this.name}: tool ${JSON.stringify(tool)} not offered: ${reason}`);
  }

  private toolsChanged(client: Client): void {
    const live = this.session;
    if (live?.client === client && !live.broken) void this.refreshTools(live);
  }

  private async refreshTools(session: Session): Promise<void> {
    try {
      const listed = await this.listTools(session.client);
      if (this.session === session && !session.broken) this.setTools(listed);
    } catch (err) {
      this.log(`MCP server ${this.name}: listing tools after a change failed: ${describeFailure(err, '')}`);
    }
  }

  /** Closes a replaced session now, or when its last call returns. */
  private retire(session: Session): void {
    session.retired = true;
    if (session.inflight === 0) void closeSession(session);
  }

  private callFailure(session: Session, tool: string, err: unknown, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return new DownstreamCallError(tool, 'no_response', 'cancelled by the caller');
    if (err instanceof McpError) {
      if (err.code === ErrorCode.RequestTimeout) {
        return new DownstreamCallError(tool, 'no_response', `no answer within ${this.config.timeoutMs} ms`);
      }
      if (err.code === ErrorCode.ConnectionClosed) {
        session.broken = true;
        const tail = session.handle.stderrTail();
        return new DownstreamCallError(
          tool,
          'no_response',
          `the connection to ${this.name} closed during the call${tail ? ` (stderr: ${lastLines(tail)})` : ''}`,
        );
      }
      return new DownstreamCallError(tool, 'error_response', err.message, err.code);
    }
    // Anything else failed below MCP (a refused connection, an HTTP error status): start afresh next time.
    session.broken = true;
    if (err instanceof StreamableHTTPError && err.code !== undefined) {
      return new DownstreamCallError(tool, 'http_error', `HTTP ${err.code}: ${err.message}`);
    }
    return new DownstreamCallError(tool, 'no_response', describeFailure(err, ''));
  }
}

/** Ends a session; for stdio, returns once the process has exited (killed if it does not go on its own). */
async function closeSession(session: Session): Promise<void> {
  const pid = session.handle.pid();
  const transport = session.handle.transport;
  if (!session.broken && 'terminateSession' in transport) {
    // Tell an HTTP server the session is over (the spec's DELETE); a server that does not answer is not waited for.
    await Promise.race([(transport as StreamableHTTPClientTransport).terminateSession().catch(() => undefined), sleep(TERMINATE_SESSION_MS)]);
  }
  // For stdio the SDK ends stdin, then sends SIGTERM and SIGKILL to a server that stays.
  await session.client.close().catch(() => undefined);
  if (pid !== undefined) await waitForExit(pid);
}

async function waitForExit(pid: number): Promise<void> {
  const killAt = Date.now() + EXIT_GRACE_MS;
  let killed = false;
  while (isRunning(pid)) {
    if (!killed && Date.now() > killAt) {
      killed = true;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
    } else if (killed && Date.now() > killAt + EXIT_GRACE_MS) {
      return; // not ours to wait for any more (a pid reused, or a process the kernel cannot end)
    }
    await sleep(20);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms).unref());
}

/** An error as one line: its message, its cause (fetch's ECONNREFUSED), and the server's last stderr lines. */
function describeFailure(err: unknown, stderrTail: string): string {
  // isNativeError, not instanceof: fetch's errors come from Node's own realm, which is not a test sandbox's.
  let text = isNativeError(err) ? err.message : String(err);
  const cause = isNativeError(err) ? err.cause : undefined;
  if (isNativeError(cause) && !text.includes(cause.message)) text += `: ${cause.message}`;
  return stderrTail ? `${text} (stderr: ${lastLines(stderrTail)})` : text;
}

function lastLines(text: string, count = 3): string {
  return text.split('\n').slice(-count).join(' | ');
}
