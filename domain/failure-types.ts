/**
 * The `type` of each ApplicationFailure Airlock's activities (and its workflow) throw, written once:
 * the activities throw them, the workflow lists the ones no retry can help in its
 * `nonRetryableErrorTypes` and records them on the action. They are in recorded histories, in the
 * action's `error.type` that clients read, and in audit events: a value here never changes.
 * Workflow-safe: the workflow imports these by value. AWS failures are typed by the AWS error's own
 * name (activities/aws-errors.ts), so only its fallbacks are here.
 */
import { RefusalCode } from './types';

export const FailureType = {
  /** The catalogue has no such action: a client started the workflow around the API. */
  UnknownAction: 'UnknownAction',
  /** The action's params fail its schema: a client started the workflow around the API. */
  InvalidParams: 'InvalidParams',
  /** The start's identity proof does not verify (also the refusal code of an unproven vote or cancel). */
  IdentityUnverified: RefusalCode.IdentityUnverified,
  /** The session policy with its time bound exceeds what STS accepts. */
  SessionPolicyTooLarge: 'SessionPolicyTooLarge',
  /** The operation could not build its session policy from these params and settings. */
  SessionPolicyError: 'SessionPolicyError',
  /** Access denied after the credentials' time bound had passed: the operation outran its declared time. */
  SessionTimeBoundExceeded: 'SessionTimeBoundExceeded',
  /** STS answered without a complete set of credentials. */
  IncompleteCredentials: 'IncompleteCredentials',
  /** An operation returned its own session credentials; the result was discarded. */
  CredentialLeak: 'CredentialLeak',
  /** What was reviewed no longer holds (operations/preconditions.ts). */
  PreconditionFailed: 'precondition_failed',
  /** The preconditions to check are missing or malformed (operations/preconditions.ts). */
  InvalidPreconditions: 'invalid_preconditions',
  /** No answer from AWS at all: refused, reset or timed-out connections, DNS. */
  NetworkError: 'NetworkError',
  /** An AWS error whose name cannot serve as a type. */
  AwsError: 'AwsError',
  /** The callback URL is not allowed, or no callback secret is set. */
  CallbackNotAllowed: 'CallbackNotAllowed',
  /** The callback got no answer, or a 408, 429 or 5xx: retried. */
  CallbackUnavailable: 'CallbackUnavailable',
  /** The callback answered another 4xx (or a 3xx, never followed). */
  CallbackRefused: 'CallbackRefused',
  /** The policy names a channel of a kind Airlock has no integration for (recorded, never thrown). */
  ChannelNotAvailable: 'ChannelNotAvailable',
  /** The impact preview did not answer within its time (activities/admission.ts): admission goes on without it. */
  PreviewTimeout: 'PreviewTimeout',
  /** Something thrown without a name or type of its own (not an Error, or a failure without a type). */
  Unnamed: 'Error',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/**
 * Failures that end admission at once: retrying cannot make an unverified start, an unknown action
 * or bad params good. The admission local activity's `nonRetryableErrorTypes`.
 */
export const ADMISSION_FINAL_FAILURES: readonly string[] = [FailureType.IdentityUnverified, FailureType.UnknownAction, FailureType.InvalidParams];

/** The failure types a Slack activity throws; the workflow records them on the action. */
export const SlackFailureType = {
  /** HTTP 429: retryable after Slack's Retry-After (the failure's `nextRetryDelay`). */
  RateLimited: 'SlackRateLimited',
  /** Slack refused the call for a reason a retry cannot change (channel, token, scope, blocks). */
  Permanent: 'SlackPermanentError',
  /** 5xx, network or timeout, or a transient platform error: retryable with Temporal's backoff. */
  Unavailable: 'SlackUnavailable',
  /** No bot token configured. */
  NotConfigured: 'SlackNotConfigured',
} as const;
export type SlackFailureType = (typeof SlackFailureType)[keyof typeof SlackFailureType];

/** The failure types a Teams activity throws; the workflow records them on the action. */
export const TeamsFailureType = {
  /** HTTP 429: retryable after the Retry-After (the failure's `nextRetryDelay`). */
  RateLimited: 'TeamsRateLimited',
  /** A 4xx a retry cannot change (conversation, bot not installed, bad credentials, card too large). */
  Permanent: 'TeamsPermanentError',
  /** 5xx, 408, a network error or a timeout: retryable with Temporal's backoff. */
  Unavailable: 'TeamsUnavailable',
  /** No bot credentials configured. */
  NotConfigured: 'TeamsNotConfigured',
} as const;
export type TeamsFailureType = (typeof TeamsFailureType)[keyof typeof TeamsFailureType];

/** The failure types an email activity throws; the workflow records them on the action. */
export const EmailFailureType = {
  /** A 5xx SMTP reply (but 503), a refused login or an address the server will never take: not retried. */
  Permanent: 'EmailPermanentError',
  /** A 4xx reply, 503, or no answer (refused, reset or timed-out connection, DNS, TLS): retried with Temporal's backoff. */
  Unavailable: 'EmailUnavailable',
  /** No SMTP server configured (AIRLOCK_SMTP_URL). */
  NotConfigured: 'EmailNotConfigured',
} as const;
export type EmailFailureType = (typeof EmailFailureType)[keyof typeof EmailFailureType];
