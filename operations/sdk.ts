/**
 * The operations SDK: what an operation of your own is written with, and all it should import
 * from Airlock (docs/operations.md#your-own-operations). The built-in operations use the same
 * contract. Name the module in AIRLOCK_OPERATIONS on the worker and the API; both load and check
 * it at start (operations/user-operations.ts).
 */
import type { Operation } from './types';

export type {
  ExecutionContext,
  IamPolicyDocument,
  IamStatement,
  JsonObject,
  Operation,
  OperationContext,
  OperationOutcome,
  OperationPreview,
  OperationProgress,
  PreviewFact,
  SessionCredentials,
} from './types';
export { MAX_SESSION_POLICY_CHARS, sessionPolicyText } from './types';
export { PreconditionFailedError, jsonDigest, sha256, sha256Hex, shortDigest } from './preconditions';
export { fitsSessionPolicyLimit } from './session-time';
export { assertPartition, s3BucketArn, s3ObjectArn } from './arn';
export { withClient } from './with-client';
export { ClientLease, withClientLease } from './credential-lease';
export { inputWildcards, policyProblem } from './policy-check';

/** An operation as you write it: every field of `Operation`, with at least one example. */
export type OperationDefinition<P, B = unknown> = Operation<P, B> & { examples: readonly [P, ...P[]] };

/**
 * Defines an operation. Types only at compile time, plus the examples every user operation must
 * have (its policies are checked on them when Airlock loads it); the result is frozen, so the
 * catalogue entry cannot change after the check.
 */
export function defineOperation<P, B = unknown>(definition: OperationDefinition<P, B>): Operation<P, B> {
  return Object.freeze({ ...definition });
}
