import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { AirlockClient } from '../client';
import { parseMcpConfig, stdioConfigSchema } from './config';
import { buildMcpServer } from './server';

/**
 * MCP over stdio, for an agent that starts Airlock's MCP server itself: the agent's own API key
 * comes from the environment it sets (AIRLOCK_API_KEY), so every call acts as that agent.
 * stdout carries the protocol; anything for people goes to stderr.
 */
async function main(): Promise<void> {
  const config = parseMcpConfig(stdioConfigSchema);
  const client = new AirlockClient({ baseUrl: config.AIRLOCK_URL, apiKey: config.AIRLOCK_API_KEY });
  const server = buildMcpServer(client, { callWaitSeconds: config.AIRLOCK_MCP_CALL_WAIT_SECONDS });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  // The client closing our stdin ends the session (the SDK's transport does not watch for it).
  process.stdin.once('end', () => {
    void server.close().finally(() => process.exit(0));
  });
  console.error(`airlock MCP server on stdio, calling ${config.AIRLOCK_URL}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
});
