import { createServer, request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body';

/** One request passed through, and moto's answer, as text. */
export interface RecordedExchange {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  requestBody: string;
  status: number;
  responseBody: string;
}

export interface RecordingProxy {
  /** Use as the AWS SDK `endpoint` instead of the target's. */
  endpoint: string;
  /** Every response body so far, in order. */
  responses(): string[];
  /** Every request and response so far, in order. */
  exchanges(): RecordedExchange[];
  /** Every SecretAccessKey and SessionToken that appeared in a response (e.g. from sts:AssumeRole). */
  issuedSecrets(): string[];
  /** Every AccessKeyId that appeared in a response (not secret; what an audit record may name). */
  issuedAccessKeyIds(): string[];
  /** Every request as it arrived, before it was held or forwarded (a crash test kills while one is in flight). */
  arrivals(): { method: string; url: string; userAgent: string }[];
  /**
   * Holds matching requests back for `ms` before forwarding them (a slow AWS, for crash tests). A
   * held request is forwarded even if its client has gone meanwhile, as AWS acts on what it received.
   */
  delay(matches: (method: string, url: string) => boolean, ms: number): void;
  stop(): Promise<void>;
}

/**
 * A plain HTTP proxy on loopback that forwards every request unchanged (Host header included, so
 * SigV4 signatures stay valid) to `targetEndpoint` and keeps each response body, so a test can
 * learn which credentials were issued and then search results, logs and histories for them.
 */
export async function startRecordingProxy(targetEndpoint: string): Promise<RecordingProxy> {
  const target = new URL(targetEndpoint);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const recorded: RecordedExchange[] = [];
  const arrived: { method: string; url: string; userAgent: string }[] = [];
  let slow: { matches: (method: string, url: string) => boolean; ms: number } | undefined;

  const server = createServer((req, res) => {
    arrived.push({ method: req.method ?? 'GET', url: req.url ?? '/', userAgent: req.headers['user-agent'] ?? '' });
    const wait = slow?.matches(req.method ?? 'GET', req.url ?? '/') ? slow.ms : 0;
    void readBody(req).then(
      async (requestBody) => {
        if (wait) await new Promise((r) => setTimeout(r, wait));
        const options: RequestOptions = {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: false, // no pooled sockets left open after stop()
        };
        const upstream = send(options, (response) => {
          void readBody(response).then(
            (responseBody) => {
              const status = response.statusCode ?? 502;
              recorded.push({
                method: req.method ?? 'GET',
                url: req.url ?? '/',
                requestBody: requestBody.toString('utf8'),
                status,
                responseBody: responseBody.toString('utf8'),
              });
              res.writeHead(status, response.headers);
              res.end(responseBody);
            },
            () => res.destroy(),
          );
        });
        upstream.on('error', (err) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`recording proxy: ${err.message}`);
        });
        upstream.end(requestBody);
      },
      () => res.destroy(),
    );
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;

  const responses = (): string[] => recorded.map((exchange) => exchange.responseBody);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    delay: (matches, ms) => {
      slow = { matches, ms };
    },
    responses,
    arrivals: () => arrived.map((request) => ({ ...request })),
    exchanges: () => recorded.map((exchange) => ({ ...exchange })),
    issuedSecrets: () => extractFields(responses(), ['SecretAccessKey', 'SessionToken']),
    issuedAccessKeyIds: () => extractFields(responses(), ['AccessKeyId']),
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

/** Distinct values of the named fields in XML (`<Name>v</Name>`) or JSON (`"Name": "v"`) bodies. */
export function extractFields(bodies: readonly string[], names: readonly string[]): string[] {
  const found = new Set<string>();
  for (const body of bodies) {
    for (const name of names) {
      for (const match of body.matchAll(new RegExp(`<${name}>([^<]+)</${name}>`, 'g'))) {
        if (match[1]) found.add(unescapeXml(match[1].trim()));
      }
      for (const match of body.matchAll(new RegExp(`"${name}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)+)"`, 'g'))) {
        if (match[1]) found.add(JSON.parse(`"${match[1]}"`) as string);
      }
    }
  }
  return [...found];
}

function unescapeXml(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
