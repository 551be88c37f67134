import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { GatewayConfig } from './config';
import { ServerConnection, type CallOptions, type ServerStatus } from './connection';
import { UnknownToolError } from './errors';
import { Secret } from './secret';
import { splitGatewayToolName, type DownstreamTool } from './tools';

export type { CallOptions, ServerState, ServerStatus } from './connection';

export interface DownstreamOptions {
  /** One line per server connected or unavailable, and per tool not offered; stderr by default. */
  log?: (message: string) => void;
}

/**
 * The downstream MCP servers of a gateway config, connected. A server that cannot be started or
 * listed does not stop the gateway: it is logged and reported as unavailable by name (status()),
 * its tools are not offered, and a call to it tries to connect again, once, before failing with
 * ServerUnavailableError. An agent keeps the servers that work while someone mends the other.
 */
export class Downstream {
  private constructor(
    private readonly connections: ReadonlyMap<string, ServerConnection>,
    private readonly log: (message: string) => void,
  ) {}

  /** Connects to every server at once; resolves when each is connected or known unavailable. */
  static async start(config: GatewayConfig, options: DownstreamOptions = {}): Promise<Downstream> {
    const log = options.log ?? ((message: string) => console.error(message));
    const connections = new Map(config.servers.map((server) => [server.name, new ServerConnection(server, log)]));
    // Failures are logged and kept in the connection's status: start itself does not fail.
    await Promise.all([...connections.values()].map((connection) => connection.ready().catch(() => undefined)));
    return new Downstream(connections, log);
  }

  /** The tools of the servers that are available, by gateway name. */
  tools(): DownstreamTool[] {
    return [...this.connections.values()].flatMap((connection) => connection.tools()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** One tool by gateway name, if its server is available and offers it. */
  tool(name: string): DownstreamTool | undefined {
    const parts = splitGatewayToolName(name);
    if (!parts) return undefined;
    return this.connections
      .get(parts.server)
      ?.tools()
      .find((tool) => tool.tool === parts.tool);
  }

  /** Every configured server, in config order, with its state. */
  status(): ServerStatus[] {
    return [...this.connections.values()].map((connection) => connection.status());
  }

  /**
   * Forwards a call to `mcp.<server>.<tool>`, reconnecting first (once) if the server's connection
   * has ended. Throws UnknownToolError, ServerUnavailableError or DownstreamCallError; a tool's own
   * failure is a result with isError, as the server gave it. Arguments are not checked here (arguments.ts).
   */
  async callTool(name: string, args: Record<string, unknown>, options: CallOptions = {}): Promise<CallToolResult> {
    const parts = splitGatewayToolName(name);
    if (!parts) throw new UnknownToolError(name, 'gateway tool names are mcp.<server>.<tool>');
    const connection = this.connections.get(parts.server);
    if (!connection) {
      const known = [...this.connections.keys()];
      throw new UnknownToolError(name, `no server named ${parts.server} (${known.length > 0 ? `servers: ${known.join(', ')}` : 'no servers are configured'})`);
    }
    return connection.callTool(parts.tool, args, options);
  }

  /**
   * Calls `mcp.<server>.<tool>` in a new process of its stdio server, with `env` over the config's
   * (per-call AWS credentials), and stops that process before returning. `check` sees the tool as
   * the new process lists it, before the call, and throws to refuse it (a redefined tool).
   */
  async callToolInNewProcess(
    name: string,
    args: Record<string, unknown>,
    env: Readonly<Record<string, string>>,
    check: (listed: DownstreamTool | undefined) => void,
  ): Promise<CallToolResult> {
    const parts = splitGatewayToolName(name);
    const config = parts && this.connections.get(parts.server)?.config;
    if (!parts || !config || config.transport !== 'stdio') throw new UnknownToolError(name, 'not a tool of a configured stdio server');
    // Secrets, so that describing the connection's config never shows them.
    const secrets = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, new Secret(value)]));
    const connection = new ServerConnection({ ...config, env: { ...config.env, ...secrets } }, this.log);
    try {
      await connection.ready();
      check(connection.tools().find((tool) => tool.tool === parts.tool));
      return await connection.callTool(parts.tool, args);
    } finally {
      await connection.close();
    }
  }

  /** Tries once more to connect every unavailable server (for a periodic health check). */
  async retryUnavailable(): Promise<void> {
    const down = [...this.connections.values()].filter((connection) => connection.status().state === 'unavailable');
    await Promise.all(down.map((connection) => connection.ready().catch(() => undefined)));
  }

  /** Closes every connection; every stdio server's process has exited when this resolves. */
  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.close()));
  }
}
