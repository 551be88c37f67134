import type { LogLevel as SdkLogLevel } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { LifecycleMetrics } from '../activities/lifecycle-metrics';
import type { AirlockConfig } from '../config/schema';
import type { Catalogue } from '../operations/catalogue';
import { freePort } from '../net/free-port';
import { sensitiveParamNames } from '../telemetry/redact';
import { startOtlpTracing, tracingSettings, type Tracing } from '../telemetry/tracing';
import { createWorkerLog, sdkLogger, type LogLevel } from './log';
import { startWorkerMetricsServer, type WorkerMetricsServer } from './metrics-server';

export interface WorkerTelemetry {
  /** JSON lines on stdout, sensitive params redacted; the SDK, workflows and activities log here too. */
  log: PinoLogger;
  /** The lifecycle series for the activities; unset when worker metrics are off. */
  metrics?: LifecycleMetrics;
  /** Where the worker serves /metrics, when it does. */
  metricsUrl?: string;
  /** Spans to the OTLP collector; unset when tracing is off (docs/operators.md#tracing). */
  tracing?: Tracing;
  /** An info line printed whatever the level: `npm start`, tests and benchmarks wait for the start line. */
  announce(message: string): void;
  close(): Promise<void>;
}

/**
 * Logging and metrics for the worker process. Installs the Temporal Runtime, which the SDK allows
 * once per process and before any connection or worker exists: its logger (core's lines
 * forwarded to it) and, with metrics on, its Prometheus exporter on a loopback port that the
 * worker's own /metrics appends. A metrics port already in use is logged, not fatal: several
 * workers may share a host, and a worker without metrics still does its job.
 */
export async function startWorkerTelemetry(config: AirlockConfig, catalogue: Catalogue): Promise<WorkerTelemetry> {
  const level = config.AIRLOCK_LOG_LEVEL;
  const tracing = startOtlpTracing(tracingSettings(config, 'airlock-worker'));
  const log = createWorkerLog({ level, sensitiveParams: sensitiveParamNames(catalogue.list()), traceIds: tracing !== undefined });
  const metricsOn = config.AIRLOCK_WORKER_METRICS_PORT !== 0;
  const sdkMetricsAddress = metricsOn ? `127.0.0.1:${await freePort()}` : undefined;
  Runtime.install({
    logger: sdkLogger(log),
    telemetryOptions: {
      logging: { filter: coreLogFilter(level), forward: {} },
      ...(sdkMetricsAddress ? { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } } : {}),
    },
  });
  const announcer = log.child({}, { level: 'info' });
  const announce = (message: string): void => announcer.info(message);
  const traced = tracing ? { tracing } : {};
  const stopTracing = (): Promise<void> => tracing?.shutdown() ?? Promise.resolve();
  if (!metricsOn) return { log, ...traced, announce, close: stopTracing };

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = new LifecycleMetrics(registry, catalogue.names());
  let server: WorkerMetricsServer | undefined;
  try {
    server = await startWorkerMetricsServer({
      host: config.AIRLOCK_WORKER_METRICS_HOST,
      port: config.AIRLOCK_WORKER_METRICS_PORT,
      registry,
      sdkMetricsUrl: `http://${sdkMetricsAddress}/metrics`,
      ...(config.AIRLOCK_METRICS_TOKEN ? { token: config.AIRLOCK_METRICS_TOKEN } : {}),
      log,
    });
    log.info({ url: server.url }, 'worker metrics: serving');
  } catch (err) {
    log.error(
      { err, host: config.AIRLOCK_WORKER_METRICS_HOST, port: config.AIRLOCK_WORKER_METRICS_PORT },
      'worker metrics: cannot listen; running without /metrics',
    );
  }
  return {
    log,
    metrics,
    ...traced,
    announce,
    ...(server ? { metricsUrl: server.url } : {}),
    close: async () => {
      await server?.close();
      await stopTracing();
    },
  };
}

const SEVERITY: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * Core's own lines at the configured level, but never below INFO (core's DEBUG is every poll),
 * and its dependencies' never below WARN.
 */
export function coreLogFilter(level: LogLevel): { core: SdkLogLevel; other: SdkLogLevel } {
  const atLeast = (floor: LogLevel): SdkLogLevel => {
    const chosen = SEVERITY[Math.max(SEVERITY.indexOf(level), SEVERITY.indexOf(floor))] ?? floor;
    return chosen.toUpperCase() as SdkLogLevel;
  };
  return { core: atLeast('info'), other: atLeast('warn') };
}
