/**
 * The trust floors of the workflow benchmark: a floor's shape plus the work Airlock's guarantees
 * require on the same path, done the least way Temporal allows, and nothing else. Airlock ÷ trust
 * floor is Airlock's own overhead; trust floor ÷ floor is what the guarantees cost on this machine.
 * Bundled on their own (with noble preloaded, as Airlock's bundle has it). Deterministic code only.
 */
import {
  ApplicationFailure,
  condition,
  currentUpdateInfo,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { AuditEventKind } from '../../domain/audit-events';
import { decideStatement, proofProblem, type TrustedKey } from '../../domain/identity-proof';
import type { ActionRequestInput, DecideInput } from '../../domain/types';
import type { TrustFloorActivities } from './trust-floor-activities';

/** The trust floor's `decide`: a signed vote, checked in the validator before it reaches history. */
export const trustVoteUpdate = defineUpdate<void, [DecideInput]>('trustVote');

/** The write-ahead record, as Airlock's audit flush: on the worker's own store, in the task that decided. */
const { recordTrustEvents, admitTrustRequest } = proxyLocalActivities<TrustFloorActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 1 },
});

/** The execution with its one-shot credential, as Airlock's execution activity. */
const { executeWithCredential } = proxyActivities<TrustFloorActivities>({
  startToCloseTimeout: '10s',
  heartbeatTimeout: '10s',
  retry: { maximumAttempts: 1 },
});

/**
 * Approve → executed with the guarantees: the vote's proof verified in the validator (Ed25519 in
 * the sandbox, as Airlock's), the vote, the approval and the execution's start stored before the
 * Update answers and before any credential (one local activity), then the execution: AssumeRole,
 * the credential's record, the no-op, the result's record.
 */
export async function trustReleaseWorkflow(keys: TrustedKey[]): Promise<string> {
  let approved: DecideInput | undefined;
  setHandler(
    trustVoteUpdate,
    async (vote) => {
      await recordTrustEvents({
        actionId: workflowInfo().workflowId,
        kinds: [AuditEventKind.VoteRecorded, AuditEventKind.ActionApproved, AuditEventKind.ExecutionStarted],
        actor: vote.reviewer,
      });
      approved = vote;
    },
    {
      validator: (vote) => {
        const updateId = currentUpdateInfo()?.id ?? '';
        const problem = proofProblem(vote.proof, decideStatement(workflowInfo().workflowId, updateId, vote), keys, Date.now());
        if (problem) throw ApplicationFailure.nonRetryable(problem.message, 'identity_unverified');
      },
    },
  );
  await condition(() => approved !== undefined);
  return executeWithCredential({ actionId: workflowInfo().workflowId, approvers: approved ? [approved.reviewer] : [] });
}

/**
 * An auto-allowed request → succeeded with the guarantees: one local activity verifies the signed
 * start (and that no earlier run acted on it), stores the request, reads the preview with its own
 * one-shot credential and records it, and stores the preview, the decision, the approval and the
 * execution's start; then the execution as above.
 */
export async function trustActivityWorkflow(request: ActionRequestInput): Promise<string> {
  await admitTrustRequest({ request, workflowStartedAt: workflowInfo().startTime.toISOString() });
  return executeWithCredential({ actionId: request.actionId, approvers: [] });
}
