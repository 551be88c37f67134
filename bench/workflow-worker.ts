import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { NativeConnection } from '@temporalio/worker';
import type { AwsSettings } from '../activities/aws-settings';
import { openAuditLog } from '../audit/open-store';
import { parseVerifyKeys } from '../config/identity-keys';
import { createAirlockWorker } from '../workers/create-worker';
import { benchActivities, loadBenchPolicy } from './lib/bench-activities';
import { quietRuntime } from '../scripts/lib/quiet-temporal';
import { MEMORY_AFTER_GC_QUERY, MEMORY_PATH, WORKER_ENV, type WorkerMemory } from './lib/worker-protocol';

/**
 * Child process of the workflow benchmark, so the RSS measured is the worker's alone: Airlock's
 * worker (createAirlockWorker, its default options) with the bench catalogue and policy, plus
 * `GET /bench/memory` on loopback. Prints `{"port":…}` once polling; stops on SIGTERM, which the
 * Temporal runtime turns into a worker shutdown.
 */
async function main(): Promise<void> {
  quietRuntime();
  const audit = await openAuditLog(requiredEnv(WORKER_ENV.auditUrl));
  const identityKeys = parseVerifyKeys(requiredEnv(WORKER_ENV.identityKeys), WORKER_ENV.identityKeys);
  const connection = await NativeConnection.connect({ address: requiredEnv(WORKER_ENV.temporalAddress) });
  const worker = await createAirlockWorker({
    connection,
    namespace: 'default',
    taskQueue: requiredEnv(WORKER_ENV.taskQueue),
    workflowBundle: { code: readFileSync(requiredEnv(WORKER_ENV.bundleFile), 'utf8') },
    activities: benchActivities({ policy: loadBenchPolicy(), aws: JSON.parse(requiredEnv(WORKER_ENV.aws)) as AwsSettings, audit, identityKeys }),
  });

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET' || url.pathname !== MEMORY_PATH) {
      response.writeHead(404).end();
      return;
    }
    // With --expose-gc, and only when asked: live memory, not garbage waiting for a collection.
    if (url.searchParams.has(MEMORY_AFTER_GC_QUERY)) globalThis.gc?.();
    const memory: WorkerMemory = {
      rss: process.memoryUsage().rss,
      heapUsed: process.memoryUsage().heapUsed,
      cachedWorkflows: worker.getStatus().numCachedWorkflows,
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
    };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(memory));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('not listening on a TCP port');

  const running = worker.run();
  console.log(JSON.stringify({ port: address.port }));
  try {
    await running;
  } finally {
    server.close();
    await connection.close();
    await audit.close();
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
    process.exit(1);
  },
);
