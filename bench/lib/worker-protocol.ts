/** What the workflow benchmark and its child worker (bench/workflow-worker.ts) agree on. */

/** The child's environment: where to connect, what to run, where to write the audit trail. */
export const WORKER_ENV = {
  temporalAddress: 'BENCH_TEMPORAL_ADDRESS',
  taskQueue: 'BENCH_TASK_QUEUE',
  auditUrl: 'BENCH_AUDIT_URL',
  /** A file holding the prebuilt Airlock workflow bundle, so the child does not bundle again. */
  bundleFile: 'BENCH_BUNDLE_FILE',
  /** AwsSettings as JSON (moto's endpoint and throwaway base credentials). */
  aws: 'BENCH_AWS',
  /** The public identity keys the bundle was made with (AIRLOCK_IDENTITY_VERIFY_KEYS's format). */
  identityKeys: 'BENCH_IDENTITY_VERIFY_KEYS',
} as const;

export const MEMORY_PATH = '/bench/memory';
/** `GET /bench/memory?gc`: read after a forced GC of the main heap, not as found. */
export const MEMORY_AFTER_GC_QUERY = 'gc';

/**
 * What `GET /bench/memory` answers, bytes: as found (what a container's limit counts, garbage
 * included), or after a forced GC when asked.
 */
export interface WorkerMemory {
  rss: number;
  heapUsed: number;
  /** Workflow executions held in the worker's cache right now. */
  cachedWorkflows: number;
  /** The cache's size limit (createAirlockWorker's default: AIRLOCK_WORKER_CACHE_MIB's budget). */
  maxCachedWorkflows: number;
}
