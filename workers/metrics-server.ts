import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { metricErrors } from '../telemetry/metric-errors';
import { bearerMatches } from '../telemetry/metrics-token';

export interface WorkerMetricsServerOptions {
  host: string;
  port: number;
  /** Airlock's own series and the process metrics. */
  registry: Registry;
  /** The Temporal SDK runtime's Prometheus endpoint (loopback), appended to each scrape. */
  sdkMetricsUrl?: string;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token?: string;
  log: Logger;
}

export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

/** How long a scrape waits for the SDK's exporter before serving Airlock's series alone. */
const SDK_SCRAPE_TIMEOUT_MS = 2000;

/**
 * `GET /metrics` on the worker: the registry's text followed by the SDK runtime's own
 * exposition, so one scrape target shows both. The SDK names its series `temporal_…` and the
 * registry `airlock_…`, `process_…` and `nodejs_…`: no family appears twice.
 */
export async function startWorkerMetricsServer(options: WorkerMetricsServerOptions): Promise<WorkerMetricsServer> {
  const errors = metricErrors(options.registry);
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics') return void response.writeHead(404).end();
    if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405, { allow: 'GET, HEAD' }).end();
    if (options.token && !bearerMatches(request.headers.authorization, options.token)) {
      return void response.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    }
    void scrape().then(
      (text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(request.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        options.log.error({ err }, 'worker metrics scrape failed');
        response.writeHead(500).end();
      },
    );
  });

  async function scrape(): Promise<string> {
    const sdk = options.sdkMetricsUrl ? await sdkText(options.sdkMetricsUrl) : '';
    const own = await options.registry.metrics(); // after the SDK's, so its error count is current
    return sdk ? `${own.endsWith('\n') ? own : `${own}\n`}${sdk}` : own;
  }

  async function sdkText(url: string): Promise<string> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(SDK_SCRAPE_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await response.text();
    } catch (err) {
      errors.inc({ series: 'temporal_sdk' });
      options.log.warn({ err }, 'the Temporal SDK metrics endpoint did not answer; serving Airlock series only');
      return '';
    }
  }

  await listen(server, options.host, options.port);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/metrics`,
    close: () =>
      new Promise((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections(); // a scraper's keep-alive connection must not hold the shutdown
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
}
