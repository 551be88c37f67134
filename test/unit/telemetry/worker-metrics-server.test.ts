import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { startWorkerMetricsServer, type WorkerMetricsServer } from '../../../workers/metrics-server';
import { parsePrometheusText, sumOf } from '../../support/prometheus-text';

const SDK_TEXT = '# HELP temporal_workflow_completed x\n# TYPE temporal_workflow_completed counter\ntemporal_workflow_completed{task_queue="q"} 3\n';

describe("the worker's /metrics", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  /** A stand-in for the SDK runtime's exporter. */
  async function sdkExporter(): Promise<string> {
    const server: Server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(SDK_TEXT));
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
    closers.push(() => new Promise((resolveClose) => server.close(() => resolveClose())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  }

  async function start(sdkMetricsUrl: string, token?: string): Promise<WorkerMetricsServer> {
    const registry = new Registry();
    new Counter({ name: 'airlock_actions_completed_total', help: 'x', labelNames: ['status'], registers: [registry] }).inc({ status: 'succeeded' });
    const server = await startWorkerMetricsServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      sdkMetricsUrl,
      log: pino({ level: 'silent' }),
      ...(token ? { token } : {}),
    });
    closers.unshift(() => server.close());
    return server;
  }

  it("serves Airlock's series followed by the SDK runtime's", async () => {
    const server = await start(await sdkExporter());
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    const samples = parsePrometheusText(await response.text());
    expect(sumOf(samples, 'airlock_actions_completed_total', { status: 'succeeded' })).toBe(1);
    expect(sumOf(samples, 'temporal_workflow_completed')).toBe(3);
    expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
  });

  it("serves Airlock's series alone, and counts the miss, when the SDK's exporter does not answer", async () => {
    const server = await start('http://127.0.0.1:1/metrics');
    const samples = parsePrometheusText(await (await fetch(server.url)).text());
    expect(sumOf(samples, 'airlock_actions_completed_total')).toBe(1);
    expect(sumOf(samples, 'airlock_metrics_collect_errors_total', { series: 'temporal_sdk' })).toBe(1);
  });

  it('requires the bearer token when one is set', async () => {
    const token = 'metrics-token-0123456789';
    const server = await start(await sdkExporter(), token);
    expect((await fetch(server.url)).status).toBe(401);
    expect((await fetch(server.url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
