import { NativeConnection, Worker, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import { runWorker } from './run-worker';

/** A floor's worker, in this process like Airlock's, on its own task queue. */
export interface FloorWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/** Runs a worker for a floor's bundle and activities on its own connection; `stop()` drains it and closes the connection. */
export async function startBundleWorker(
  temporalAddress: string,
  taskQueue: string,
  workflowBundle: WorkflowBundle,
  activities: NonNullable<WorkerOptions['activities']>,
): Promise<FloorWorker> {
  const connection = await NativeConnection.connect({ address: temporalAddress });
  try {
    const worker = await Worker.create({ connection, namespace: 'default', taskQueue, workflowBundle, activities });
    const stopWorker = runWorker(worker);
    return {
      taskQueue,
      async stop() {
        await stopWorker();
        await connection.close();
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
