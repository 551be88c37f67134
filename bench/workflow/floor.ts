import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startBundleWorker, type FloorWorker } from '../lib/floor-worker';
import { quietBundlerLogger } from '../../scripts/lib/quiet-temporal';
import { floorActivities } from './floor-activities';
import { admitUpdate, floorActivityWorkflow, floorAdmitWorkflow, floorWorkflow, releaseUpdate } from './floor-workflows';

/** Bundles bench/workflow/floor-workflows alone and runs a worker for it with the no-op activity. */
export async function startFloorWorker(temporalAddress: string, taskQueue: string): Promise<FloorWorker> {
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./floor-workflows'), logger: quietBundlerLogger });
  return startBundleWorker(temporalAddress, taskQueue, workflowBundle, floorActivities);
}

function expectDone(workflowId: string, result: string): void {
  if (result !== 'done') throw new Error(`floor workflow ${workflowId} returned ${JSON.stringify(result)}`);
}

/** A bare `client.workflow.start` of the floor workflow: the least a start can be. */
export function startFloor(client: Client, taskQueue: string): Promise<WorkflowHandle<typeof floorWorkflow>> {
  return client.workflow.start(floorWorkflow, { taskQueue, workflowId: `floor-${randomUUID()}` });
}

/**
 * Sends `release` and waits for the result: the counterpart of approving and waiting for
 * `succeeded`. Also ends an admitted floor workflow (then untimed).
 */
export async function releaseFloor(handle: WorkflowHandle<typeof floorWorkflow | typeof floorAdmitWorkflow>): Promise<void> {
  const [, result] = await Promise.all([handle.executeUpdate(releaseUpdate), handle.result()]);
  expectDone(handle.workflowId, result);
}

/**
 * Update-with-start of the admit floor until its `admit` Update returns (after one no-op
 * activity): the counterpart of `POST /v1/actions`, which is one update-with-start answered once
 * policy has decided. Options as ActionsService sets them.
 */
export async function admitFloor(client: Client, taskQueue: string): Promise<WorkflowHandle<typeof floorAdmitWorkflow>> {
  const startWorkflowOperation = new WithStartWorkflowOperation(floorAdmitWorkflow, {
    taskQueue,
    workflowId: `floor-admit-${randomUUID()}`,
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  const answer = await client.workflow.executeUpdateWithStart(admitUpdate, { startWorkflowOperation });
  const handle = await startWorkflowOperation.workflowHandle();
  expectDone(handle.workflowId, answer);
  return handle;
}

/** `client.workflow.execute` of the one-activity floor: the counterpart of an auto-allowed action from request to `succeeded`. */
export async function executeFloor(client: Client, taskQueue: string): Promise<string> {
  const workflowId = `floor-activity-${randomUUID()}`;
  const result = await client.workflow.execute(floorActivityWorkflow, { taskQueue, workflowId });
  expectDone(workflowId, result);
  return workflowId;
}
