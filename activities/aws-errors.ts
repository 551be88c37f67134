import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../domain/failure-types';
import { isPreconditionError } from '../operations/preconditions';
import { failureMessage, isProgrammingError, redact } from './failure-mapping';

/**
 * AWS SDK errors → Temporal failures. The SDK error itself never crosses: its properties can hold
 * the response, request metadata, or (for SignatureDoesNotMatch) the canonical request with the
 * session token header. Only a type, a message with known secrets removed, and retryability do.
 */

/** Throttling: a 4xx that a later attempt can pass (the SDK's own list, minus quota errors). */
const THROTTLING_ERRORS = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

/**
 * Client errors that a later attempt can pass: timeouts, a clock that was off, base credentials
 * that had expired (the provider refreshes them). One-shot credentials are new on every attempt.
 */
const TRANSIENT_ERRORS = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'RequestTimeTooSkewed',
  'RequestExpired',
  'RequestInTheFuture',
  'ExpiredToken',
  'ExpiredTokenException',
  'IDPCommunicationError',
  'IDPCommunicationErrorException',
]);

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const MAX_MESSAGE_CHARS = 1000;

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** How an error is classified: the failure type, and whether Temporal may retry it. */
export interface ErrorClass {
  type: string;
  retryable: boolean;
  /** HTTP status of an AWS service error, when there was a response. */
  status?: number;
}

/** Decides type and retryability from the error's shape (duck-typed: SDK clients each bundle their classes). */
export function classifyAwsError(err: unknown): ErrorClass {
  if (!err || typeof err !== 'object') return { type: FailureType.Unnamed, retryable: true };
  const e = err as ErrorShape;
  const name = typeof e.name === 'string' ? e.name : FailureType.Unnamed;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const type = failureType(name);

  if (code && NETWORK_ERROR_CODES.has(code)) return { type: FailureType.NetworkError, retryable: true };
  if (THROTTLING_ERRORS.has(name) || status === 429 || isThrottlingTrait(e.$retryable)) {
    return { type, retryable: true, ...(status ? { status } : {}) };
  }
  if (TRANSIENT_ERRORS.has(name)) return { type, retryable: true, ...(status ? { status } : {}) };
  if (status !== undefined) return { type, retryable: status >= 500 || status === 408, status };
  if (e.$fault === 'server') return { type, retryable: true };
  if (e.$fault === 'client') return { type, retryable: false };
  if (isProgrammingError(name)) return { type, retryable: false };
  // No response at all (connection dropped, aborted socket) or an unknown error: Temporal's default.
  return { type, retryable: true };
}

/**
 * The failure an activity throws for an error from `step` (e.g. `sts:AssumeRole`): type = the
 * AWS error name, message = step + the service's message with every `secrets` value removed,
 * non-retryable for client errors except throttling and transient ones. No cause, no details.
 * A precondition error of an operation becomes its stable code (`precondition_failed`,
 * `invalid_preconditions`), never retried: the world will not change back on its own.
 */
export function toApplicationFailure(err: unknown, step: string, secrets: readonly (string | undefined)[] = []): ApplicationFailure {
  if (err instanceof ApplicationFailure) return ownFailure(err, secrets);
  if (isPreconditionError(err)) {
    const message = `${step} failed: ${failureMessage(err.message, secrets, MAX_MESSAGE_CHARS)} (${err.code})`;
    return ApplicationFailure.create({ type: err.code, message, nonRetryable: true });
  }
  const { type, retryable, status } = classifyAwsError(err);
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const suffix = status !== undefined ? ` (${type}, HTTP ${status})` : ` (${type})`;
  const message = `${step} failed: ${failureMessage(raw || type, secrets, MAX_MESSAGE_CHARS)}${suffix}`;
  return ApplicationFailure.create({ type, message, nonRetryable: !retryable });
}

/** Our own failures pass unchanged, unless one quotes a secret: then only its type and a redacted message remain. */
function ownFailure(failure: ApplicationFailure, secrets: readonly (string | undefined)[]): ApplicationFailure {
  const visible = `${failure.message}\n${JSON.stringify(failure.details ?? null)}`;
  if (redact(visible, secrets) === visible) return failure;
  return ApplicationFailure.create({
    type: failure.type ?? FailureType.Unnamed,
    message: redact(failure.message, secrets),
    nonRetryable: failure.nonRetryable ?? false,
  });
}

function isThrottlingTrait(trait: unknown): boolean {
  return !!trait && typeof trait === 'object' && (trait as { throttling?: unknown }).throttling === true;
}

/** An error name as a failure type: the AWS names are identifiers; anything odd becomes `AwsError`. */
function failureType(name: string): string {
  return /^[A-Za-z][A-Za-z0-9_.]{0,99}$/.test(name) ? name : FailureType.AwsError;
}
