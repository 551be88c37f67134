import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent as is: percent-encoding, odd or not, is the caller's. */
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** The loopback address to send from (any of 127.0.0.0/8), to appear as another client IP. */
  localAddress?: string;
}

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Real HTTP requests with full control of method, path, headers and body bytes, for fuzzing.
 * (`app.inject` would be quicker, but light-my-request needs an ESM-only `cookie` that jest
 * cannot load on Node 20.) One keep-alive connection at a time, so requests stay in order.
 */
export function rawHttpClient(baseUrl: string): { send(request: RawRequest): Promise<RawResponse>; close(): void } {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = (request: RawRequest): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      let answered = false;
      const outgoing = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: request.method,
          path: request.path,
          headers: framed(request),
          agent,
          ...(request.localAddress ? { localAddress: request.localAddress } : {}),
        },
        (response) => {
          answered = true;
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      // A server may answer (413, 431) and close before it has read everything: the answer is what counts.
      outgoing.on('error', (err) => {
        if (!answered) reject(err);
      });
      outgoing.end(request.body);
    });
  return { send, close: () => agent.destroy() };
}

/**
 * The headers, with a Content-Length for any body sent without one: Node's client sends a GET
 * body unframed, which a server rightly reads as the start of the next request.
 */
function framed(request: RawRequest): OutgoingHttpHeaders {
  const headers = { ...request.headers };
  const hasFraming = Object.keys(headers).some((name) => ['content-length', 'transfer-encoding'].includes(name.toLowerCase()));
  if (request.body !== undefined && !hasFraming) headers['content-length'] = Buffer.byteLength(request.body);
  return headers;
}
