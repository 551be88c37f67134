import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { TrustedKey } from '../domain/identity-proof';
import { identityKeysBundlerHook } from './workflow-bundle';

export interface AirlockWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /**
   * A prebuilt bundle (tests bundle once per suite), made with `identityKeysBundlerHook` for the
   * same keys; otherwise the worker bundles workflows/ itself with `identityKeys`.
   */
  workflowBundle?: WorkflowBundle | undefined;
  /** Public keys the workflow's Update validators accept identities from (AIRLOCK_IDENTITY_VERIFY_KEYS). */
  identityKeys: readonly TrustedKey[];
  /**
   * Payload encryption (codec/data-converter.ts). A prebuilt bundle must have been bundled with
   * the same `failureConverterPath`: workflow code converts its failures inside the bundle.
   */
  dataConverter?: DataConverter | undefined;
  /** Sticky cache size; the SDK default scales with memory (docs/deployment.md). */
  maxCachedWorkflows?: number | undefined;
}

/** The one place a Worker is configured, shared by the entry point, `npm start` and tests. */
export function createAirlockWorker(options: AirlockWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities, workflowBundle, dataConverter, maxCachedWorkflows, identityKeys } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    ...(dataConverter ? { dataConverter } : {}),
    ...(maxCachedWorkflows !== undefined ? { maxCachedWorkflows } : {}),
    ...(workflowBundle
      ? { workflowBundle }
      : { workflowsPath: require.resolve('../workflows'), bundlerOptions: { webpackConfigHook: identityKeysBundlerHook(identityKeys) } }),
  });
}
