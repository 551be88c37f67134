import { randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { IdentitySigner } from '../../../api/identity-signer';
import type { ActionRequestInput, ActionState, Verdict } from '../../../domain/types';
import { admittedUpdate, cancelUpdate, decideUpdate, PRIVILEGED_ACTION_WORKFLOW } from '../../../workflows/messages';
import type { privilegedAction } from '../../../workflows/privileged-action';
import { rejectionOf } from '../../support/failures';
import { signedCancel, signedDecision, TEST_SIGNING_KEY, testSigner } from '../../support/identity-keys';
import type { WorkflowTestBed } from './test-bed';

/** Who asks in these tests; never an approver of their own request. */
export const REQUESTER = 'etl-bot';

export type ActionHandle = WorkflowHandle<typeof privilegedAction>;

/** An action a test talks to: its id (which proofs are bound to) and its workflow. */
export interface ActionRef {
  id: string;
  handle: ActionHandle;
}

/** A started action, with its state once policy decided. */
export interface StartedAction extends ActionRef {
  admitted: ActionState;
}

/** An action id of the API's shape, fresh for each test. */
export function newActionId(): string {
  return `action-s3.copyObject-${randomBytes(8).toString('hex')}`;
}

/** etl-bot's copy request as the API hands it to Temporal, received at `requestedAt`. */
export function copyRequest(actionId: string, requestedAt: Date): ActionRequestInput {
  return {
    actionId,
    action: 's3.copyObject',
    params: { sourceBucket: 'airlock-src', sourceKey: 'in.csv', destinationBucket: 'airlock-exports', destinationKey: 'out.csv' },
    justification: 'Quarterly export for finance',
    requester: { id: REQUESTER, source: 'api' },
    requestedAt: requestedAt.toISOString(),
  };
}

/** The request with the API's start proof on it. */
export function signedRequest(request: ActionRequestInput, signer = testSigner()): ActionRequestInput {
  return { ...request, proof: signer.signStart(request) };
}

/** Starts a workflow with exactly this input (by default under its action id), as anyone with Temporal access could. */
export function startWorkflow(
  bed: WorkflowTestBed,
  taskQueue: string,
  input: ActionRequestInput,
  workflowId = input.actionId,
  options: { workflowTaskTimeout?: string } = {},
): Promise<ActionHandle> {
  return bed.client.workflow.start<typeof privilegedAction>(PRIVILEGED_ACTION_WORKFLOW, { taskQueue, workflowId, args: [input], ...options });
}

/**
 * Starts a signed copy request as the API does: update-with-start, answered by `admitted` once
 * policy decided. (A separate Update could reach a workflow that decides within its first task
 * just as that task ends, and make Temporal run the task again.)
 */
export async function startAction(bed: WorkflowTestBed, taskQueue: string): Promise<StartedAction> {
  const id = newActionId();
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof privilegedAction>(PRIVILEGED_ACTION_WORKFLOW, {
    taskQueue,
    workflowId: id,
    args: [signedRequest(copyRequest(id, await bed.now()))],
    workflowIdConflictPolicy: 'FAIL',
  });
  const admitted = await bed.client.workflow.executeUpdateWithStart(admittedUpdate, { startWorkflowOperation });
  return { id, handle: await startWorkflowOperation.workflowHandle(), admitted };
}

/**
 * The API's signer with the test server's clock: workflow code checks a proof's age against
 * workflow time, which runs hours ahead of the wall clock once time was skipped.
 */
export async function signerNow(bed: WorkflowTestBed): Promise<IdentitySigner> {
  const now = await bed.now();
  return new IdentitySigner(TEST_SIGNING_KEY, () => now);
}

/** A reviewer's signed vote, as the API sends it; resolves with the state the Update answers. */
export async function vote(bed: WorkflowTestBed, action: ActionRef, reviewer: string, verdict: Verdict = 'approve', comment?: string): Promise<ActionState> {
  const decision = { reviewer, verdict, channel: 'api', ...(comment !== undefined ? { comment } : {}) };
  return action.handle.executeUpdate(decideUpdate, signedDecision(action.id, decision, await signerNow(bed)));
}

/** A signed cancel, as the API sends it for the requester. */
export async function cancel(bed: WorkflowTestBed, action: ActionRef, by = REQUESTER, reason = 'not needed any more'): Promise<ActionState> {
  return action.handle.executeUpdate(cancelUpdate, signedCancel(action.id, { by, reason }, await signerNow(bed)));
}

/** The refusal code (ApplicationFailure type) an Update validator answered with. */
export async function refusalOf(update: Promise<unknown>): Promise<string | undefined> {
  const failed = await rejectionOf(update, WorkflowUpdateFailedError);
  expect(failed.cause).toBeInstanceOf(ApplicationFailure);
  return (failed.cause as ApplicationFailure).type ?? undefined;
}

/** What `answerOf` says when the Update reached a workflow that had already ended. */
export const FINISHED = 'finished';

/**
 * How a server refuses an Update to a workflow that has ended. A real server says `workflow
 * execution already completed`; sdk-java's test server looks the Update up first and says
 * `update <id> not found` (it says that of an unknown Update only once the workflow has ended).
 */
const ENDED = /already completed|^update \S+ not found$/i;

/**
 * 'accepted'; the refusal code an Update validator answered with; or FINISHED when the server
 * refused it because the workflow had already ended (the API answers that as a refusal too).
 */
export async function answerOf(update: Promise<unknown>): Promise<string> {
  try {
    await update;
    return 'accepted';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError && ENDED.test(err.message)) return FINISHED;
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type) return err.cause.type;
    throw err;
  }
}
