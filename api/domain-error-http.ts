import { DomainErrorCode, InvalidInputError, type DomainError, type ErrorBody } from '../domain/errors';
import { RefusalCode } from '../domain/types';

/**
 * The HTTP status of each domain error code, the one place the API decides it. A `Record` over
 * every code, so a new domain error does not compile until it has a status here.
 */
const STATUS: Record<DomainErrorCode, number> = {
  [DomainErrorCode.InvalidRequest]: 400,
  [DomainErrorCode.InvalidParams]: 400,
  [DomainErrorCode.UnknownAction]: 400,
  [RefusalCode.CommentRequired]: 400,
  [RefusalCode.NotAnApprover]: 403,
  [RefusalCode.StepUpRequired]: 403,
  [DomainErrorCode.ActionNotFound]: 404,
  [RefusalCode.SelfApproval]: 409,
  [RefusalCode.AlreadyVoted]: 409,
  [RefusalCode.ActionClosed]: 409,
  [RefusalCode.NotPendingReview]: 409,
  [RefusalCode.NotCancellable]: 409,
  [DomainErrorCode.IdempotencyKeyReused]: 409,
  // The API signs everything it sends: a refusal means the workers do not trust its key (misconfiguration).
  [RefusalCode.IdentityUnverified]: 500,
  [DomainErrorCode.AuditUnavailable]: 503,
  [DomainErrorCode.WorkerUnavailable]: 503,
  [DomainErrorCode.TemporalUnavailable]: 503,
};

/** The HTTP status the API answers a domain error code with. */
export function statusOf(code: DomainErrorCode): number {
  return STATUS[code];
}

/** A domain error as the API answers it: its status, and `{ error: { code, message, issues? } }`. */
export function httpErrorOf(err: DomainError): { status: number; body: ErrorBody } {
  const issues = err instanceof InvalidInputError ? { issues: err.issues.map((issue) => ({ ...issue })) } : {};
  return { status: statusOf(err.code), body: { error: { code: err.code, message: err.message, ...issues } } };
}
