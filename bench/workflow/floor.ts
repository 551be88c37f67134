import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { runWorker } from '../lib/run-worker';
import { quietBundlerLogger } from '../../scripts/lib/quiet-temporal';
import { floorActivities } from './floor-activities';
import { floorWorkflow, releaseUpdate } from './floor-workflows';

/** The floor workflow's worker, in this process like Airlock's, on its own task queue. */
export interface FloorWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/** Bundles bench/workflow/floor-workflows alone and runs a worker for it with the no-op activity. */
export async function startFloorWorker(temporalAddress: string, taskQueue: string): Promise<FloorWorker> {
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./floor-workflows'), logger: quietBundlerLogger });
  const connection = await NativeConnection.connect({ address: temporalAddress });
  try {
    const worker = await Worker.create({ connection, namespace: 'default', taskQueue, workflowBundle, activities: floorActivities });
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

/** A bare `client.workflow.start` of the floor workflow: the counterpart of `POST /v1/actions`. */
export function startFloor(client: Client, taskQueue: string): Promise<WorkflowHandle<typeof floorWorkflow>> {
  return client.workflow.start(floorWorkflow, { taskQueue, workflowId: `floor-${randomUUID()}` });
}

/** Sends `release` and waits for the result: the counterpart of approving and waiting for `succeeded`. */
export async function releaseFloor(handle: WorkflowHandle<typeof floorWorkflow>): Promise<void> {
  const [, result] = await Promise.all([handle.executeUpdate(releaseUpdate), handle.result()]);
  if (result !== 'done') throw new Error(`floor workflow ${handle.workflowId} returned ${JSON.stringify(result)}`);
}
