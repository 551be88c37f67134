import type { z } from 'zod';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { OperationPreview } from '../workflows/types';

/** An IAM policy document, as passed inline to STS AssumeRole as the session policy. */
export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

/** STS limit on the plaintext of the inline session policy (AssumeRole `Policy`). */
export const MAX_SESSION_POLICY_CHARS = 2048;

/**
 * The session policy as sent to STS: compact JSON, with every non-ASCII character written as a
 * `\uXXXX` escape (same JSON value) because STS accepts only `\u0009`, `\u000A`, `\u000D` and
 * `\u0020`–`\u00FF` in `Policy`.
 */
export function sessionPolicyText(policy: IamPolicyDocument): string {
  return JSON.stringify(policy).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** Where and as whom an operation runs: one-shot credentials scoped to this single operation. */
export interface OperationContext {
  actionId: string;
  region: string;
  /** AWS partition for ARNs (`aws`, `aws-us-gov`, `aws-cn`). */
  partition: string;
  /** Custom endpoint (moto, MinIO, LocalStack); undefined for real AWS. */
  endpoint?: string;
  credentials: AwsCredentialIdentity;
  /** For long operations: progress recorded by Temporal (heartbeat details), kept across retries and worker crashes. */
  progress?: OperationProgress;
}

/** Durable progress of one long operation; never put anything secret in it (it lands in history). */
export interface OperationProgress {
  /** What the previous attempt last reported, when this attempt is a retry. */
  resumeFrom(): unknown;
  /** Records progress; a retry after a crash starts from the last report that reached the server. */
  report(details: { [key: string]: string | number | boolean }): void;
}

/** Non-secret outcome of an operation: ids, ARNs, counts. */
export interface OperationOutcome {
  summary: string;
  outputs: { [key: string]: string | number | boolean };
}

// Defined with the workflow's shared types (the workflow records previews); re-exported here for operations.
export type { OperationPreview, PreviewFact } from '../workflows/types';

/** One entry of the catalogue of privileged operations. */
export interface Operation<P = unknown> {
  /** Catalogue name, e.g. `s3.copyObject`. */
  name: string;
  title: string;
  description: string;
  /** Validates params at the edge and again inside the activity. */
  params: z.ZodType<P>;
  /**
   * Top-level params whose values never appear in a log line (the audit trail and reviewers still
   * see them): each is replaced by `[redacted]` wherever a logged object carries params.
   */
  sensitiveParams?: readonly string[];
  /** True when running it twice has the same effect as once, so Temporal may retry it. */
  idempotent: boolean;
  /** One line saying exactly what will happen, e.g. `copy s3://a/k to s3://b/k`. */
  summarize(params: P): string;
  /** The least-privilege session policy: exactly the needed actions on exactly the named resources. */
  sessionPolicy(params: P, partition: string): IamPolicyDocument;
  execute(params: P, context: OperationContext): Promise<OperationOutcome>;
  /** The read-only session policy for `preview`: only Get/List/Describe on the named resources. */
  previewPolicy(params: P, partition: string): IamPolicyDocument;
  /** Computes the impact without changing anything; runs with `previewPolicy` credentials. */
  preview(params: P, context: OperationContext): Promise<OperationPreview>;
  /**
   * On a retry after an attempt whose outcome is unknown (a worker killed mid-request, a lost
   * reply): whether the change is already in place, read with `previewPolicy` credentials. An
   * outcome means it is, and the operation is not run again; undefined means run it. Operations
   * without it are simply run again (they are idempotent, or never retried).
   */
  findApplied?(params: P, context: OperationContext): Promise<OperationOutcome | undefined>;
}
