import type { z } from 'zod';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { OperationPreview, ToolAnnotations, ToolResult } from '../domain/types';

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
  endpoint?: string | undefined;
  credentials: AwsCredentialIdentity;
  /**
   * Until when `credentials` may start requests, by this worker's clock: issue time + the
   * operation's `runningTimeSeconds`. Their session policy refuses every call a little later
   * (the clock skew margin, operations/session-time.ts).
   */
  usableUntil: Date;
  /**
   * New credentials under the same session policy, bounded again from now, and recorded in the
   * audit trail by key id like the first. For batched operations: call it when a batch would
   * outlive `usableUntil` (operations/credential-lease.ts does this for you).
   */
  renewCredentials(): Promise<SessionCredentials>;
  /** For long operations: progress recorded by Temporal (heartbeat details), kept across retries and worker crashes. */
  progress?: OperationProgress;
}

/** One issue of one-shot credentials, and until when they may be used. */
export interface SessionCredentials {
  credentials: AwsCredentialIdentity;
  usableUntil: Date;
}

/**
 * The context of an execution (and of the recheck before a retried one): the preconditions the
 * preview returned, parsed by the operation's own `preconditions` schema. Undefined for an
 * operation that declares no schema.
 */
export interface ExecutionContext<B = unknown> extends OperationContext {
  preconditions: B;
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
  /** An MCP gateway tool's answer, for the agent only: the audit trail gets its digest and size in `outputs`. */
  toolResult?: ToolResult;
}

// Defined with the workflow's shared types (the workflow records previews); re-exported here for operations.
export type { JsonObject, OperationPreview, PreviewFact, ToolAnnotations, ToolResult } from '../domain/types';

/**
 * One entry of the catalogue of privileged operations: `P` its params, `B` what its preview binds
 * its execution to (its preconditions).
 */
export interface Operation<P = unknown, B = unknown> {
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
  /**
   * Top-level params the audit trail records only as a salted digest (an MCP gateway tool's
   * `redact` arguments). Reviewers still see them; the start's signature binds them through it.
   */
  redactInAudit?: readonly string[];
  /** True when running it twice has the same effect as once, so Temporal may retry it. */
  idempotent: boolean;
  /**
   * Sample params, each valid. Operations loaded from AIRLOCK_OPERATIONS must have at least one:
   * the loader builds their session and preview policies from each, and from each with a
   * wildcard put into every string, and refuses the operation if one allows a wildcard action or
   * a wildcard that came from input (operations/policy-check.ts).
   */
  examples?: readonly P[];
  /**
   * Seconds one session of this operation needs, from the credential's issue to its last request:
   * the preview, a recheck, the execution, or one batch of a batched execution (which renews its
   * credentials per batch). Every statement of the session policy stops allowing anything this
   * long after issue, plus a clock skew margin. Default 30 s (operations/session-time.ts).
   */
  runningTimeSeconds?: number;
  /** One line saying exactly what will happen, e.g. `copy s3://a/k to s3://b/k`. */
  summarize(params: P): string;
  /** The least-privilege session policy: exactly the needed actions on exactly the named resources. */
  sessionPolicy(params: P, partition: string): IamPolicyDocument;
  /**
   * Runs the operation. When the operation declares `preconditions`, they are in the context,
   * parsed; the execution must fail with PreconditionFailedError (operations/preconditions.ts),
   * writing nothing, when they no longer hold.
   */
  execute(params: P, context: ExecutionContext<B>): Promise<OperationOutcome>;
  /** The read-only session policy for `preview`: only Get/List/Describe on the named resources. */
  previewPolicy(params: P, partition: string): IamPolicyDocument;
  /**
   * Computes the impact without changing anything; runs with `previewPolicy` credentials. An
   * operation with a `preconditions` schema returns, in `preconditions`, what it read that its
   * execution must still find true.
   */
  preview(params: P, context: OperationContext): Promise<OperationPreview>;
  /**
   * The schema of what the preview binds the execution to ("what was reviewed is what runs").
   * When set, a preview must return preconditions that parse, and an execution without them, or
   * with malformed ones, fails `invalid_preconditions` before any credential is issued. Keep them
   * small (ETags, digests): they are stored in workflow history.
   */
  preconditions?: z.ZodType<B>;
  /**
   * On a retry after an attempt whose outcome is unknown (a worker killed mid-request, a lost
   * reply): whether the change is already in place, read with `previewPolicy` credentials. An
   * outcome means it is, and the operation is not run again; undefined means run it. Operations
   * without it are simply run again (they are idempotent, or never retried).
   */
  findApplied?(params: P, context: ExecutionContext<B>): Promise<OperationOutcome | undefined>;
  /**
   * Whether a step runs with one-shot AWS credentials; by default every step does. For a step that
   * does not (an MCP gateway tool's preview, or its call to a server that holds its own secrets), no
   * AssumeRole is made, nothing is recorded as issued, and reading the context's `credentials` throws.
   */
  usesAwsCredentials?(purpose: 'preview' | 'recheck' | 'execute'): boolean;
  /** The params' JSON Schema as the catalogue shows it, when `params` cannot say it (an MCP tool's `inputSchema`). */
  paramsJsonSchema?: Record<string, unknown>;
  /** For an MCP gateway tool (`mcp.<server>.<tool>`): the downstream tool, with its annotations as policy matches them. */
  tool?: { server: string; name: string; annotations: ToolAnnotations };
}
