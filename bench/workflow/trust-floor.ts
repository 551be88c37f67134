import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freshUpdateId, type IdentitySigner } from '../../api/identity-signer';
import type { ActionRequestInput, DecideInput } from '../../domain/types';
import { airlockBundlerOptions, quietBundlerLogger } from '../../workers/workflow-bundle';
import { startBundleWorker, type FloorWorker } from '../lib/floor-worker';
import { createTrustFloorActivities, type TrustFloorDeps } from './trust-floor-activities';
import { trustActivityWorkflow, trustReleaseWorkflow, trustVoteUpdate } from './trust-floor-workflows';

/**
 * Bundles bench/workflow/trust-floor-workflows alone, with Airlock's bundler options (noble
 * preloaded, so a run does not evaluate it again), and runs a worker for it with its activities.
 */
export async function startTrustFloorWorker(temporalAddress: string, taskQueue: string, deps: TrustFloorDeps): Promise<FloorWorker> {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./trust-floor-workflows'),
    logger: quietBundlerLogger,
    ...airlockBundlerOptions(deps.keys),
  });
  return startBundleWorker(temporalAddress, taskQueue, workflowBundle, createTrustFloorActivities(deps));
}

/** Starts the approval trust floor, waiting for its vote: the counterpart of an action pending review. */
export function startTrustRelease(client: Client, taskQueue: string, signer: IdentitySigner): Promise<WorkflowHandle<typeof trustReleaseWorkflow>> {
  return client.workflow.start(trustReleaseWorkflow, { taskQueue, workflowId: `trust-floor-${randomUUID()}`, args: [[signer.trustedKey()]] });
}

/** Signs a vote as the API would, sends it and waits for the result: the counterpart of approving until `succeeded`. */
export async function releaseTrustFloor(handle: WorkflowHandle<typeof trustReleaseWorkflow>, signer: IdentitySigner): Promise<void> {
  const decision: DecideInput = { reviewer: 'bench-reviewer', verdict: 'approve', channel: 'api' };
  const updateId = freshUpdateId('api:bench-reviewer');
  const vote: DecideInput = { ...decision, proof: signer.signDecision(handle.workflowId, updateId, decision) };
  const [, result] = await Promise.all([handle.executeUpdate(trustVoteUpdate, { args: [vote], updateId }), handle.result()]);
  if (result !== 'done') throw new Error(`trust floor ${handle.workflowId} returned ${JSON.stringify(result)}`);
}

/** A signed request, started and awaited: the counterpart of an auto-allowed action from request to `succeeded`. Returns its workflow id. */
export async function executeTrustFloor(client: Client, taskQueue: string, signer: IdentitySigner): Promise<string> {
  const actionId = `trust-floor-activity-${randomUUID()}`;
  const fields: Omit<ActionRequestInput, 'proof'> = {
    actionId,
    action: 'bench.noop',
    params: { run: 'trust-floor' },
    justification: 'Benchmark: trust floor',
    requester: { id: 'bench-auto', source: 'api' },
    requestedAt: new Date().toISOString(),
  };
  const request: ActionRequestInput = { ...fields, proof: signer.signStart(fields) };
  const result = await client.workflow.execute(trustActivityWorkflow, { taskQueue, workflowId: actionId, args: [request] });
  if (result !== 'done') throw new Error(`trust floor ${actionId} returned ${JSON.stringify(result)}`);
  return actionId;
}
