import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerConfig, StdioServerConfig } from './config';
import { revealAll } from './secret';

/** Lines of a stdio server's stderr kept to explain why it stopped. */
const STDERR_LINES = 20;

/** A transport to one downstream server, with what the gateway needs to know of its process. */
export interface DownstreamTransport {
  transport: Transport;
  /** The child's pid once started; undefined for HTTP. */
  pid(): number | undefined;
  /** The last lines a stdio server wrote to stderr, for error messages; empty for HTTP. */
  stderrTail(): string;
}

/**
 * The whole environment of a stdio server: the SDK's minimal inherited set (HOME, LOGNAME, PATH,
 * SHELL, TERM, USER) and the config's `env` over it. Nothing else of the gateway's environment
 * (its API keys, signing keys, AWS credentials) reaches a downstream server.
 */
export function spawnEnv(server: StdioServerConfig): Record<string, string> {
  return { ...getDefaultEnvironment(), ...revealAll(server.env) };
}

/** A new, unstarted transport for the server (Client.connect starts it). */
export function openTransport(server: ServerConfig): DownstreamTransport {
  if (server.transport === 'http') {
    const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: revealAll(server.headers) } });
    return { transport, pid: () => undefined, stderrTail: () => '' };
  }
  const transport = new StdioClientTransport({
    command: server.command,
    args: [...server.args],
    env: spawnEnv(server),
    ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
    // Piped, not inherited: on the gateway's own stdio transport, stderr belongs to the agent's client.
    stderr: 'pipe',
  });
  const lines: string[] = [];
  let partial = '';
  // Always read, so a chatty server never blocks on a full pipe.
  transport.stderr?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim() !== '') lines.push(line);
    lines.splice(0, Math.max(0, lines.length - STDERR_LINES));
  });
  return {
    transport,
    pid: () => transport.pid ?? undefined,
    stderrTail: () => [...lines, partial].filter((line) => line.trim() !== '').join('\n'),
  };
}
