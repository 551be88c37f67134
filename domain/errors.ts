/**
 * What acting on an action can fail with, one named class per condition, each with a stable `code`
 * and the facts as fields. The core (api/actions-service.ts) throws these and nothing that speaks
 * a protocol; each edge maps them once: HTTP to a status and `{ error: { code, message } }`
 * (api/domain-error-http.ts), Slack and Teams to a sentence (channels/refusal-texts.ts), MCP to a
 * tool result (mcp/tool-error.ts, from the code the HTTP answer carries). Workflow-safe: it
 * imports only the refusal codes of ./types.
 */
import { RefusalCode } from './types';

/** The codes of the errors below other than the workflow's refusals (those are RefusalCode). */
export const DomainErrorCode = {
  ActionNotFound: 'action_not_found',
  UnknownAction: 'unknown_action',
  InvalidParams: 'invalid_params',
  InvalidRequest: 'invalid_request',
  IdempotencyKeyReused: 'idempotency_key_reused',
  TemporalUnavailable: 'temporal_unavailable',
  WorkerUnavailable: 'worker_unavailable',
  AuditUnavailable: 'audit_unavailable',
} as const;
export type DomainErrorCode = (typeof DomainErrorCode)[keyof typeof DomainErrorCode] | RefusalCode;

/** One problem with an input, by its path (`params.sourceKey`, `body.justification`). */
export interface InputIssue {
  path: string;
  message: string;
}

/**
 * How an error is written as JSON wherever Airlock answers over HTTP: the API (docs/api.md,
 * Errors) and the Slack and Teams routes it hosts.
 */
export interface ErrorBody {
  error: { code: string; message: string; issues?: InputIssue[] };
}

/** Every domain error: branch on the class or on `code`, never on `message`. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
}

/**
 * The workflow's Update validator refused a vote or a cancel (the requester voting, a second vote,
 * a closed action, ...), or the action had closed before the Update reached it. Nothing changed.
 */
export class ActionRefusedError extends DomainError {
  override readonly name: string = 'ActionRefusedError';

  constructor(
    /** Which rule refused: the `type` of the validator's failure. */
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The workers refused the identity proof the API signed: their trusted keys lack the API's key.
 * A refusal like the others (nothing changed), but an operator's fix, not the reviewer's.
 */
export class IdentityUnverifiedError extends ActionRefusedError {
  override readonly name: string = 'IdentityUnverifiedError';

  constructor(message: string) {
    super(RefusalCode.IdentityUnverified, message);
  }
}

/** No action has this id (or the caller may not see it, which reads the same so ids do not leak). */
export class ActionNotFoundError extends DomainError {
  override readonly name = 'ActionNotFoundError';
  readonly code = DomainErrorCode.ActionNotFound;

  constructor(
    readonly actionId: string,
    message = `no action ${actionId}`,
  ) {
    super(message);
  }
}

/** The request names an action that is not in the catalogue. */
export class NotInCatalogueError extends DomainError {
  override readonly name = 'NotInCatalogueError';
  readonly code = DomainErrorCode.UnknownAction;

  constructor(
    readonly action: string,
    readonly known: readonly string[],
  ) {
    super(`unknown action ${action}; known: ${known.join(', ')}`);
  }
}

/** An input its schema refuses: the action's params, or a request's fields. Every issue is listed, so all can be fixed at once. */
export class InvalidInputError extends DomainError {
  override readonly name = 'InvalidInputError';

  constructor(
    readonly code: typeof DomainErrorCode.InvalidParams | typeof DomainErrorCode.InvalidRequest,
    readonly issues: readonly InputIssue[],
  ) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
  }
}

/** What an idempotency key was first used for. */
export type IdempotentCall = 'request' | 'decision' | 'cancel';

/** The idempotency key was already used for a different call of this kind; the first one stands. */
export class IdempotencyKeyReusedError extends DomainError {
  override readonly name = 'IdempotencyKeyReusedError';
  readonly code = DomainErrorCode.IdempotencyKeyReused;

  constructor(readonly call: IdempotentCall) {
    super(
      call === 'request'
        ? 'this Idempotency-Key was already used for a different request'
        : `this Idempotency-Key was already used for a different ${call}; that ${call} stands`,
    );
  }
}

/** Temporal could not be reached: nothing asked for can be known to have happened. Retry with the same key. */
export class TemporalUnavailableError extends DomainError {
  override readonly name = 'TemporalUnavailableError';
  readonly code = DomainErrorCode.TemporalUnavailable;

  constructor(message = 'Temporal could not be reached; retry (with the same Idempotency-Key)', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No worker answered a vote or cancel in time. It may still be applied; a retry with the same key is deduplicated. */
export class WorkerUnavailableError extends DomainError {
  override readonly name = 'WorkerUnavailableError';
  readonly code = DomainErrorCode.WorkerUnavailable;

  constructor(readonly actionId: string) {
    super('no worker answered in time; retry (with the same Idempotency-Key)');
  }
}

/** A refused vote could not be put on record, so it is not answered as refused: the caller retries. */
export class AuditUnavailableError extends DomainError {
  override readonly name = 'AuditUnavailableError';
  readonly code = DomainErrorCode.AuditUnavailable;

  constructor(options?: { cause?: unknown }) {
    super('the audit trail is unavailable; retry', options);
  }
}
