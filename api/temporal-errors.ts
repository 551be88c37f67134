import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { RefusalCode } from '../domain/types';
import { ApiError } from './errors';

const REFUSAL_STATUS: Record<RefusalCode, number> = {
  [RefusalCode.SelfApproval]: 409,
  [RefusalCode.NotAnApprover]: 403,
  [RefusalCode.AlreadyVoted]: 409,
  [RefusalCode.ActionClosed]: 409,
  [RefusalCode.NotPendingReview]: 409,
  [RefusalCode.NotCancellable]: 409,
  [RefusalCode.CommentRequired]: 400,
  // The API signs everything it sends: a refusal means the workers do not trust its key (misconfiguration).
  [RefusalCode.IdentityUnverified]: 500,
};

function isRefusalCode(value: string | undefined | null): value is RefusalCode {
  return value !== undefined && value !== null && value in REFUSAL_STATUS;
}

/**
 * Turns what the Temporal client throws for one action into an ApiError, or rethrows.
 * `closedCode` names the refusal for a message sent after the workflow finished.
 */
export function toApiError(err: unknown, actionId: string, closedCode: RefusalCode = RefusalCode.ActionClosed): never {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && isRefusalCode(err.cause.type)) {
    throw new ApiError(REFUSAL_STATUS[err.cause.type], err.cause.type, err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError) {
    // An Update to a workflow that has finished is refused by the server as NOT_FOUND with this detail.
    if (/already completed/i.test(err.message)) {
      throw new ApiError(409, closedCode, 'the action has already finished');
    }
    throw new ApiError(404, 'action_not_found', `no action ${actionId}`);
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    // The Update may still be applied when a worker returns; a retry with the same key is deduplicated.
    throw new ApiError(503, 'worker_unavailable', 'no worker answered in time; retry (with the same Idempotency-Key)');
  }
  throw err;
}
