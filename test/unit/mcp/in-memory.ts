import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AirlockClient } from '../../../client';
import { buildMcpServer, type McpServerOptions } from '../../../mcp/server';

/** Airlock's MCP server over `fake` (a scripted API client), and the SDK's own client linked to it in memory. */
export async function connectInMemory(fake: object, options: McpServerOptions = {}): Promise<Client> {
  // The fakes have the client's public methods; the class's private fields make a cast necessary.
  const server = buildMcpServer(fake as unknown as AirlockClient, options);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'unit-test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}
