import { ApplicationFailure } from '@temporalio/common';
import type { AuditLog } from '../audit/audit-log';
import { proofProblem, startStatement, type IdentityStatement, type TrustedKey } from '../domain/identity-proof';
import { AuditEventKind } from '../domain/audit-events';
import { auditParamsProblem } from '../domain/audit-redaction';
import { FailureType } from '../domain/failure-types';
import type { ActionRequestInput } from '../domain/types';
import { nativeSignatureCheck } from '../config/native-signature-check';
import { currentActivity } from './activity-context';

export interface VerifyActionRequestInput {
  request: ActionRequestInput;
  /** The workflow's start time (from history): a proof far from it was not made for this start. */
  workflowStartedAt: string;
}

export interface IdentityActivityDeps {
  /** Public keys of the API's identity signers (AIRLOCK_IDENTITY_VERIFY_KEYS). */
  identityKeys: readonly TrustedKey[];
  /** Where an earlier run of the same action would have left its request. */
  audit: AuditLog;
}

/**
 * The workflow's first step: run nothing for a start the API did not sign. Anyone who can reach
 * Temporal can start `privilegedAction` with any requester; only the API holds the signing key.
 * Its result is recorded in history, so replay never depends on the keys the worker has today.
 */
export function createIdentityActivities(deps: IdentityActivityDeps) {
  return {
    async verifyActionRequest(input: VerifyActionRequestInput): Promise<void> {
      const { request } = input;
      const execution = currentActivity()?.info.workflowExecution;
      if (execution && request.actionId !== execution.workflowId) {
        refuse(`the request is for action ${request.actionId}, not this workflow (${execution.workflowId})`);
      }
      const problem = proofProblem(request.proof, statementOf(request), deps.identityKeys, Date.parse(input.workflowStartedAt), nativeSignatureCheck);
      if (problem) refuse(problem.message, request.requester?.id);
      // The proof signs the audit form of the params: it binds the real ones only if it is their redaction.
      const redaction = request.auditParams && auditParamsProblem(request.actionId, request.params, request.auditParams);
      if (redaction) refuse(redaction, request.requester?.id);
      if (execution) await refuseEarlierRun(deps.audit, execution.workflowId, execution.runId);
    },
  };
}

/** The statement the start proof must sign; a start too malformed to have one is refused like a forged one. */
function statementOf(request: ActionRequestInput): IdentityStatement {
  try {
    return startStatement(request);
  } catch {
    refuse('the request is malformed');
  }
}

/**
 * A signed start is good for one run: a second run of the same action (restarted after the first
 * closed, or reset to its beginning) would replay a request that was already acted on. Each run
 * records its request first, under event ids that name the run.
 */
async function refuseEarlierRun(audit: AuditLog, workflowId: string, runId: string): Promise<void> {
  const ownPrefix = `${workflowId}/${runId}/`;
  const lineage = await audit.lineage(workflowId);
  const earlier = lineage.find((event) => event.kind === AuditEventKind.RequestReceived && !event.eventId.startsWith(ownPrefix));
  if (earlier) refuse(`this request was already received by an earlier run of ${workflowId} (audit event ${earlier.seq}); a signed request runs once`);
}

function refuse(message: string, claimedRequester?: string): never {
  currentActivity()?.log.warn('refused an unverified start', { reason: message, ...(claimedRequester ? { claimedRequester } : {}) });
  throw ApplicationFailure.create({ type: FailureType.IdentityUnverified, message: `identity not verified: ${message}`, nonRetryable: true });
}
