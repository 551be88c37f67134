import { text } from 'node:stream/consumers';
import type { BundleRequest } from './bundle-process';
import { bundleAirlockWorkflows } from './workflow-bundle';

/**
 * The bundling process the worker starts (bundle-process.ts): reads a BundleRequest on stdin,
 * writes the workflow bundle's code on stdout, and exits, taking webpack's memory with it.
 */
async function main(): Promise<void> {
  const request = JSON.parse(await text(process.stdin)) as BundleRequest;
  const bundle = await bundleAirlockWorkflows(request.identityKeys, request.failureConverterPath, { tracing: request.tracing === true });
  process.stdout.write(bundle.code);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
