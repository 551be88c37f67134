import { totalmem } from 'node:os';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Activities } from '../activities';
import { cachedWorkflowsForBudget, DEFAULT_CACHE_BUDGET_MIB, DEFAULT_STICKY_TIMEOUT, workflowTaskSlots } from './worker-sizing';
import { limitWorkflowThreadHeap } from './workflow-thread-heap';
import type { Tracing } from '../telemetry/tracing';
import { workerTracingOptions } from './worker-tracing';

export interface AirlockWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /**
   * The workflow bundle, made with `airlockBundlerOptions` for the same keys: by a bundling
   * process (bundle-process.ts, the worker's entry point) or once per test suite.
   */
  workflowBundle: WorkflowBundle;
  /**
   * Payload encryption (codec/data-converter.ts). A prebuilt bundle must have been bundled with
   * the same `failureConverterPath`: workflow code converts its failures inside the bundle.
   */
  dataConverter?: DataConverter | undefined;
  /** Memory for the workflow cache, MiB (AIRLOCK_WORKER_CACHE_MIB); sizes it unless `maxCachedWorkflows` is set. */
  cacheBudgetMiB?: number | undefined;
  /** The cache's size in workflows, whatever the budget (AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number | undefined;
  /** How long a task waits for the worker that cached its workflow before any worker may take it (AIRLOCK_WORKER_STICKY_TIMEOUT), ms. */
  stickyTimeoutMs?: number | undefined;
  /** Spans for activities and, from a bundle made with `tracing`, for workflows (docs/operators.md#tracing). */
  tracing?: Tracing | undefined;
}

/** The one place a Worker is configured, shared by the entry point, `npm start`, tests and benchmarks. */
export function createAirlockWorker(options: AirlockWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities, workflowBundle, dataConverter } = options;
  const maxCachedWorkflows = options.maxCachedWorkflows ?? cachedWorkflowsForBudget(options.cacheBudgetMiB ?? DEFAULT_CACHE_BUDGET_MIB, memoryForProcess());
  // The cached workflows live on the SDK's workflow thread: its heap is sized for them.
  limitWorkflowThreadHeap(maxCachedWorkflows);
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    ...(dataConverter ? { dataConverter } : {}),
    maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: workflowTaskSlots(maxCachedWorkflows),
    // After a worker dies, its workflows' next tasks (a vote) wait this long on its sticky queue.
    stickyQueueScheduleToStartTimeout: options.stickyTimeoutMs ?? DEFAULT_STICKY_TIMEOUT,
    workflowBundle,
    ...(options.tracing ? workerTracingOptions(options.tracing) : {}),
  });
}

/** What this process may use: its cgroup's limit when it has one below the host's memory, else the host's memory. */
function memoryForProcess(): number {
  const constrained = process.constrainedMemory();
  const host = totalmem();
  return constrained > 0 && constrained < host ? constrained : host;
}
