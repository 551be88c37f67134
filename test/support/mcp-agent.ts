import { join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { PROJECT_ROOT } from '../../scripts/lib/tools';

/** Airlock's built stdio MCP server (npm test builds it first). */
export const MCP_STDIO_ENTRY = join(PROJECT_ROOT, 'dist', 'mcp', 'stdio.js');

/** Airlock's MCP server as an MCP client starts it over stdio: the built entry, with the agent's key and `env` (its other settings). */
export function stdioAgentTransport(apiUrl: string, key: string, env: Record<string, string> = {}): StdioClientTransport {
  return new StdioClientTransport({
    command: process.execPath,
    args: [MCP_STDIO_ENTRY],
    env: { AIRLOCK_URL: apiUrl, AIRLOCK_API_KEY: key, ...env },
    stderr: 'pipe',
  });
}

/** Airlock's MCP server over Streamable HTTP at `url`, the agent's key on every request. */
export function httpAgentTransport(url: URL, key: string): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
}
