import { type NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Activities } from '../activities';

export interface AirlockWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle (tests bundle once per suite); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkflowBundle;
}

/** The one place a Worker is configured, shared by the entry point, `npm start` and tests. */
export function createAirlockWorker(options: AirlockWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities, workflowBundle } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}
