import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../domain/canonical-json';
import { FailureType } from '../domain/failure-types';
import type { JsonObject, Operation } from './types';

/*
 * "What was reviewed is what runs": an operation's preview returns, with its facts, the
 * preconditions its execution must still find true (an ETag, a digest of what a diff was computed
 * against). The workflow passes them back; the execution checks them, by the AWS API's own
 * conditional request where there is one, and otherwise by reading again just before it writes.
 */

/**
 * The world is no longer the one the reviewers saw: an object was replaced, a policy changed.
 * Nothing was written (or, for a batched operation, nothing after the change was noticed); the
 * message says what changed. The action fails with the failure type `precondition_failed`.
 */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
  readonly code = FailureType.PreconditionFailed;
}

/**
 * An operation that binds its execution to its preview got no preconditions, or ones its schema
 * refuses: the action was previewed before execution was bound, its preview failed, or an
 * operation's preview is wrong. Nothing reviewed can be checked, so nothing runs. Failure type
 * `invalid_preconditions`.
 */
export class InvalidPreconditionsError extends Error {
  override readonly name = 'InvalidPreconditionsError';
  readonly code = FailureType.InvalidPreconditions;
}

/** The operation's own refusals about preconditions: each fails the action with its `code` as the failure type, never retried. */
export function isPreconditionError(err: unknown): err is PreconditionFailedError | InvalidPreconditionsError {
  return err instanceof PreconditionFailedError || err instanceof InvalidPreconditionsError;
}

/** Where preconditions are checked against their schema: what the preview returned, or what execution received. */
export type PreconditionsStage = 'preview' | 'execution';

/**
 * The operation's preconditions, parsed by its own schema. An operation without a schema binds
 * nothing and gets undefined; one with a schema gets a parsed value or an InvalidPreconditionsError.
 */
export function parsePreconditions<B>(
  operation: Pick<Operation<unknown, B>, 'name' | 'preconditions'>,
  value: JsonObject | undefined,
  stage: PreconditionsStage,
): B | undefined {
  const schema = operation.preconditions;
  if (!schema) {
    if (value !== undefined && stage === 'preview') {
      throw new InvalidPreconditionsError(`${operation.name} returned preconditions from its preview but declares no schema to check them with`);
    }
    return undefined;
  }
  if (value === undefined) {
    throw new InvalidPreconditionsError(
      stage === 'preview'
        ? `${operation.name} returned no preconditions from its preview, but its execution is bound to them`
        : `${operation.name} runs only as previewed, and this action has no preconditions from a preview ` +
            '(its preview failed, or it was previewed before executions were bound to previews): request it again',
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${['preconditions', ...issue.path.map(String)].join('.')}: ${issue.message}`);
    throw new InvalidPreconditionsError(`${operation.name} ${stage === 'preview' ? 'previewed' : 'received'} malformed preconditions: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** A SHA-256 digest in lowercase hex: what preconditions keep instead of whole documents, so history stays small. */
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest in lowercase hex');

/** SHA-256 of UTF-8 text, in lowercase hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 of a JSON value's canonical form: the same document gives the same digest whatever its key order or spacing. */
export function jsonDigest(value: unknown): string {
  return sha256(canonicalJson(value));
}

/** `a1b2c3d4…`: a digest short enough for a message, long enough to tell two apart. */
export function shortDigest(digest: string): string {
  return `${digest.slice(0, 12)}…`;
}
