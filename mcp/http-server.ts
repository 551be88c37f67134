import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AirlockClient } from '../client';
import { buildMcpServer } from './server';

/** The MCP endpoint's path, as MCP clients are usually configured. */
export const MCP_PATH = '/mcp';

/** Tool calls carry small JSON; the Airlock API itself takes at most 64 KiB by default. */
const MAX_BODY_BYTES = 256 * 1024;

export interface McpHttpOptions {
  /** Base URL of the Airlock API that every tool call goes to, with the caller's own key. */
  airlockUrl: string;
  /** Browser origins allowed to call; a request with any other Origin header is refused. */
  allowedOrigins?: readonly string[];
  /** How long a gateway tool call waits for its outcome before answering that it is still pending (default 50 s). */
  callWaitSeconds?: number | undefined;
  /** Where failures are reported (never with the key); stderr by default. */
  log?: (message: string) => void;
}

function reply(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  // A JSON-RPC error envelope, as the SDK's own transport answers protocol-level refusals.
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/** The bearer token of `Authorization: Bearer <key>`, or undefined. */
export function bearerKey(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Streamable HTTP in the SDK's stateless pattern: each POST gets its own MCP server and transport,
 * built around an Airlock client holding that request's key. The identity is thus always the
 * calling agent's own key, no session state is shared, and any instance can serve any request.
 */
async function handle(req: IncomingMessage, res: ServerResponse, options: McpHttpOptions): Promise<void> {
  const path = URL.canParse(req.url ?? '/', 'http://localhost') ? new URL(req.url ?? '/', 'http://localhost').pathname : undefined;
  if (path === undefined) return reply(res, 400, 'bad URL');
  if (path === '/healthz' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (path !== MCP_PATH) return reply(res, 404, `not found: the MCP endpoint is ${MCP_PATH}`);
  // A browser page must not reach a local server through DNS rebinding (the MCP transport spec asks for this check).
  const origin = req.headers.origin;
  if (origin !== undefined && !(options.allowedOrigins ?? []).includes(origin)) return reply(res, 403, 'origin not allowed');
  const apiKey = bearerKey(req.headers.authorization);
  if (!apiKey) {
    return reply(res, 401, 'send Authorization: Bearer <your Airlock API key>', { 'www-authenticate': 'Bearer realm="airlock"' });
  }
  // Stateless: no server-to-client stream to GET and no session to DELETE.
  if (req.method !== 'POST') return reply(res, 405, 'method not allowed: POST MCP messages', { allow: 'POST' });

  const server = buildMcpServer(new AirlockClient({ baseUrl: options.airlockUrl, apiKey }), {
    callWaitSeconds: options.callWaitSeconds,
    log: options.log,
  });
  const transport = new StreamableHTTPServerTransport({ maxRequestBodySize: MAX_BODY_BYTES }); // no sessionIdGenerator: stateless;
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
}

/**
 * A node:http server for the MCP endpoint; the caller listens and closes. The timeouts bound how
 * long a request may take to arrive; a tool call's answer may then stream for minutes (long waits).
 */
export function createMcpHttpServer(options: McpHttpOptions): Server {
  return createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    handle(req, res, options).catch((err: unknown) => {
      // One bad request must not end the process; the detail goes to the log, not to the caller.
      (options.log ?? console.error)(`MCP request failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) reply(res, 500, 'internal error');
      else res.end();
    });
  });
}
