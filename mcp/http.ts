import { httpConfigSchema, parseMcpConfig } from './config';
import { createMcpHttpServer, MCP_PATH } from './http-server';

/** How long open tool calls (long waits included) get to finish at shutdown before being cut. */
const DRAIN_MS = 5_000;

/** MCP over Streamable HTTP, for agents that reach Airlock over the network, each with its own key. */
async function main(): Promise<void> {
  const config = parseMcpConfig(httpConfigSchema);
  const server = createMcpHttpServer({
    airlockUrl: config.AIRLOCK_URL,
    allowedOrigins: config.AIRLOCK_MCP_ALLOWED_ORIGINS,
    callWaitSeconds: config.AIRLOCK_MCP_CALL_WAIT_SECONDS,
  });
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.AIRLOCK_MCP_PORT, config.AIRLOCK_MCP_HOST, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.AIRLOCK_MCP_PORT;
  const host = config.AIRLOCK_MCP_HOST.includes(':') ? `[${config.AIRLOCK_MCP_HOST}]` : config.AIRLOCK_MCP_HOST;
  console.log(`airlock MCP server on http://${host}:${port}${MCP_PATH}, calling ${config.AIRLOCK_URL}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
});
