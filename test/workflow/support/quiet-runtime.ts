import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry } from '@temporalio/worker';

/**
 * Lines these tests cause on purpose and never read: sdk-java's test server lacks a capability
 * Temporal Server 1.16+ advertises, and every worker started on it says so; and the canned
 * activities fail where a test wants them to, which the worker logs with a stack each time (the
 * tests assert what the workflow made of each failure instead).
 */
function expected(entry: LogEntry): boolean {
  return entry.message.includes('activity_failure_include_heartbeat') || entry.message === 'Activity failed';
}

/**
 * Warnings and errors only, as quietRuntime() does for integration tests, minus the expected
 * lines above; the native side's logs are forwarded here so that they can be dropped too.
 */
export function quietTestServerRuntime(): void {
  const shown = new DefaultLogger('WARN');
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => {
        if (!expected(entry)) shown.log(entry.level, entry.message, entry.meta);
      }),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
    });
  } catch {
    // Already installed earlier in this process: keep it.
  }
}
