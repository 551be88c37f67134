import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import type { TrustedKey } from '../domain/identity-proof';

/** What the bundling process is told: how the worker itself would have bundled. */
export interface BundleRequest {
  /** Written into the bundle, where the Update validators read them (workers/workflow-bundle.ts). */
  identityKeys: readonly TrustedKey[];
  /** With payload encryption: workflow code converts its failures as the data converter says. */
  failureConverterPath?: string | undefined;
  /** With tracing on: the OpenTelemetry workflow interceptors go into the bundle. */
  tracing?: boolean | undefined;
}

const BUNDLE_ENTRY = join(__dirname, 'bundle-main.js');

/**
 * Bundles Airlock's workflows in a process of its own and returns the code. Bundled in the
 * worker's own process, webpack and its caches stayed there for good: ~100 MiB of RSS on every
 * worker (107 → 206 MiB measured), which neither a collection nor a worker thread that exits gave
 * back to the operating system. The child inherits stderr, so the bundler's warnings and errors
 * show in the worker's log.
 */
export function bundleInChildProcess(request: BundleRequest): Promise<WorkflowBundle> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE_ENTRY], { stdio: ['pipe', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ code: Buffer.concat(chunks).toString('utf8') });
      else reject(new Error(`bundling the workflows failed (${signal ?? `exit code ${String(code)}`}): see its error above`));
    });
    child.stdin.end(JSON.stringify(request));
  });
}
