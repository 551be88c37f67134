import { DefaultLogger, Runtime } from '@temporalio/worker';

/** Workers log at WARN: tests and benchmarks show failures and figures, not lifecycle chatter. */
export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed earlier in this process: keep it.
  }
}

/** The bundler's logger, silent but for warnings and errors. */
export const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
  log: () => undefined,
};
