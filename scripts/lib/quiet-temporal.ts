import { DefaultLogger, Runtime } from '@temporalio/worker';

/** Workers log at WARN: tests and benchmarks show failures and figures, not lifecycle chatter. */
export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed earlier in this process: keep it.
  }
}

// The bundler's logger lives with the bundler options (workers/workflow-bundle.ts), which the worker's bundling process uses too.
export { quietBundlerLogger } from '../../workers/workflow-bundle';
