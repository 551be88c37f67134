import { readFileSync } from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import type { AwsSettings } from '../../activities/aws-settings';
import { openAuditLog } from '../../audit/open-store';
import { benchActivities, loadBenchPolicy } from '../../bench/lib/bench-activities';
import { parseVerifyKeys } from '../../config/identity-keys';
import { createAirlockWorker } from '../../workers/create-worker';
import { quietRuntime } from './quiet-temporal';

/** What scripts/measure-cache-entry.ts gives the worker it measures, as JSON in MEASURED_WORKER. */
export interface MeasuredWorkerSettings {
  temporalAddress: string;
  taskQueue: string;
  bundleFile: string;
  auditUrl: string;
  aws: AwsSettings;
  /** The public key the parent's signer signs with (AIRLOCK_IDENTITY_VERIFY_KEYS's format); its bundle was made with it. */
  verifyKeys: string;
  maxCachedWorkflows: number;
}

/** The worker's memory after a forced GC of the main thread's heap, bytes. */
export interface MeasuredMemory {
  cached: number;
  heapUsed: number;
  rss: number;
}

export type ParentMessage = 'read' | 'stop';
export type ChildMessage = { kind: 'ready' } | ({ kind: 'memory' } & MeasuredMemory);

/**
 * The child process of scripts/measure-cache-entry.ts: Airlock's worker alone in its process, so
 * its memory is not mixed with the client's. Answers `read` with its memory over IPC; `stop` shuts
 * the worker down.
 */
async function main(): Promise<void> {
  const settings = JSON.parse(process.env.MEASURED_WORKER ?? '') as MeasuredWorkerSettings;
  const gc = globalThis.gc;
  if (!gc || !process.send) throw new Error('start with fork(…, { execArgv: ["--expose-gc"] })');
  const send = (message: ChildMessage): boolean => process.send?.(message) ?? false;
  quietRuntime();
  const identityKeys = parseVerifyKeys(settings.verifyKeys, 'MEASURED_WORKER');
  const audit = await openAuditLog(settings.auditUrl);
  const connection = await NativeConnection.connect({ address: settings.temporalAddress });
  const worker = await createAirlockWorker({
    connection,
    namespace: 'default',
    taskQueue: settings.taskQueue,
    workflowBundle: { code: readFileSync(settings.bundleFile, 'utf8') },
    activities: benchActivities({ policy: loadBenchPolicy(), aws: settings.aws, audit, identityKeys }),
    maxCachedWorkflows: settings.maxCachedWorkflows,
  });
  process.on('message', (message: ParentMessage) => {
    if (message === 'stop') return worker.shutdown();
    gc();
    gc();
    const { heapUsed, rss } = process.memoryUsage();
    send({ kind: 'memory', cached: worker.getStatus().numCachedWorkflows, heapUsed, rss });
  });
  const running = worker.run();
  send({ kind: 'ready' });
  try {
    await running;
  } finally {
    await connection.close();
    await audit.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
