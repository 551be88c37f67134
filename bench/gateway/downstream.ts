import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { PROJECT_ROOT } from '../../scripts/lib/tools';

/** The downstream server, the real one from npm, spoken to over stdio by the floor and by Airlock alike. */
export const EVERYTHING_ENTRY = join(PROJECT_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
/** Its name in the gateway file: the tool is `mcp.everything.echo` to the API, `everything__echo` to agents. */
export const SERVER = 'everything';
export const TOOL = 'echo';
/** The policy that allows `mcp.everything.echo` at once for bench-auto. */
export const GATEWAY_POLICY_FILE = join(PROJECT_ROOT, 'bench', 'gateway', 'policy.yaml');

/** What echo answers: the one text block the floor and both Airlock paths must return. */
export function echoed(message: string): string {
  return `Echo: ${message}`;
}

/** Writes the gateway file (stdio, server-everything run by this Node) into `dir`; returns its path. */
export function writeGatewayFile(dir: string): string {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    [
      'version: 1',
      'servers:',
      `  ${SERVER}:`,
      '    transport: stdio',
      `    command: ${JSON.stringify(process.execPath)}`,
      `    args: [${JSON.stringify(EVERYTHING_ENTRY)}, stdio]`,
      '',
    ].join('\n'),
  );
  return file;
}

/** The floor's client: the MCP SDK's, over stdio to a server-everything process of its own. */
export async function connectFloor(): Promise<Client> {
  const client = new Client({ name: 'airlock-bench-floor', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING_ENTRY, 'stdio'], stderr: 'ignore' }));
  return client;
}

/** An agent's client: the MCP SDK's, over Streamable HTTP to Airlock's MCP server, with an Airlock API key. */
export async function connectAgent(mcpUrl: URL, apiKey: string): Promise<Client> {
  const client = new Client({ name: 'airlock-bench-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers: { Authorization: `Bearer ${apiKey}` } } }));
  return client;
}

/** The text of a tool's answer; throws unless it is exactly what echo answers to `message`. */
export function expectEcho(what: string, result: CallToolResult, message: string): void {
  const text = result.content.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join('\n');
  if (result.isError === true || text !== echoed(message)) throw new Error(`${what} answered ${JSON.stringify(result).slice(0, 500)}`);
}
