import { text } from 'node:stream/consumers';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { BundleRequest } from './bundle-process';
import { airlockBundlerOptions, WORKFLOWS_PATH } from './workflow-bundle';

/** The bundler's report goes to stderr, warnings and errors only: stdout carries the bundle. */
const bundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  log: () => undefined,
  warn: (message: string) => console.error(`workflow bundle: ${message}`),
  error: (message: string) => console.error(`workflow bundle: ${message}`),
};

/**
 * The bundling process the worker starts (bundle-process.ts): reads a BundleRequest on stdin,
 * writes the workflow bundle's code on stdout, and exits, taking webpack's memory with it.
 */
async function main(): Promise<void> {
  const request = JSON.parse(await text(process.stdin)) as BundleRequest;
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: bundlerLogger,
    ...airlockBundlerOptions(request.identityKeys),
    ...(request.failureConverterPath ? { failureConverterPath: request.failureConverterPath } : {}),
  });
  process.stdout.write(bundle.code);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
