import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redactingLogOptions } from '../telemetry/log-options';
import { traceLogFields } from '../telemetry/trace-log';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface WorkerLogOptions {
  level: LogLevel;
  /** Param names whose values are never logged (`Operation.sensitiveParams`). */
  sensitiveParams: ReadonlySet<string>;
  /** Where JSON lines go; stdout by default. Tests pass a stream to read them. */
  destination?: DestinationStream;
  /** With tracing on: every line carries the active span's `trace_id` and `span_id`. */
  traceIds?: boolean;
}

/** The worker's JSON-lines logger: the worker's own lines and, through `sdkLogger`, the Temporal SDK's. */
export function createWorkerLog(options: WorkerLogOptions): PinoLogger {
  return pino(
    {
      level: options.level,
      // The SDK passes errors under `error`; pino would print an Error there as `{}`.
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      ...redactingLogOptions(options.sensitiveParams),
      ...(options.traceIds ? { mixin: traceLogFields } : {}),
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The Temporal Runtime's logger (SDK, core, workflow and activity lines) writing to `log`. The
 * SDK tags workflow and activity lines with `workflowId`, which is the action id: it becomes
 * `actionId`, the field every Airlock log line about an action carries.
 */
export function sdkLogger(log: PinoLogger): SdkLogger {
  const write = (level: SdkLogLevel, message: string, meta?: LogMetadata): void => {
    const method = PINO_METHOD[level];
    if (!log.isLevelEnabled(method)) return;
    log[method](sdkLogFields(meta), message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

const PINO_METHOD: Record<SdkLogLevel, LogLevel> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The fields of one SDK log line. Symbol keys (the SDK's timestamp) are left out: pino stamps
 * its own time. So is `taskToken`: it would let whoever reads the logs complete the activity.
 */
export function sdkLogFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!meta) return fields;
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'taskToken') continue;
    fields[key === 'workflowId' ? 'actionId' : key] = value;
  }
  return fields;
}
