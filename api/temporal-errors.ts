import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  ActionNotFoundError,
  ActionRefusedError,
  DomainError,
  IdentityUnverifiedError,
  TemporalUnavailableError,
  WorkerUnavailableError,
} from '../domain/errors';
import { RefusalCode } from '../domain/types';
import { isTemporalUnreachable } from './temporal-reachable';

const REFUSAL_CODES: ReadonlySet<string> = new Set(Object.values(RefusalCode));

function isRefusalCode(value: string | undefined | null): value is RefusalCode {
  return typeof value === 'string' && REFUSAL_CODES.has(value);
}

/**
 * The domain error that what the Temporal client threw for one action means, or `err` itself when
 * it means none (a bug, or a failure nobody anticipated): callers `throw asDomainError(err, id)`.
 * `closedCode` names the refusal for a message sent after the workflow finished.
 */
export function asDomainError(err: unknown, actionId: string, closedCode: RefusalCode = RefusalCode.ActionClosed): unknown {
  if (err instanceof DomainError) return err;
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && isRefusalCode(err.cause.type)) {
    const refusal = err.cause.type;
    // The API signs everything it sends: this refusal means the workers do not trust its key.
    if (refusal === RefusalCode.IdentityUnverified) return new IdentityUnverifiedError(err.cause.message);
    return new ActionRefusedError(refusal, err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError) {
    // An Update to a workflow that has finished is refused by the server as NOT_FOUND with this detail.
    if (/already completed/i.test(err.message)) return new ActionRefusedError(closedCode, 'the action has already finished');
    return new ActionNotFoundError(actionId);
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    // The Update may still be applied when a worker returns; a retry with the same key is deduplicated.
    return new WorkerUnavailableError(actionId);
  }
  return unreachableAsDomainError(err);
}

/** TemporalUnavailableError for a call that found no Temporal frontend in time; anything else as it is. */
export function unreachableAsDomainError(err: unknown): unknown {
  return isTemporalUnreachable(err) ? new TemporalUnavailableError(undefined, { cause: err }) : err;
}
