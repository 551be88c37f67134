import { createHash } from 'node:crypto';
import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient, type Tag } from '@aws-sdk/client-sts';
import type { AwsSettings } from './aws-settings';
import type { AwsCredentialIdentity } from '@smithy/types';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../domain/failure-types';
import { iamTime, timeBoundPolicy } from '../operations/session-time';
import { MAX_SESSION_POLICY_CHARS, sessionPolicyText, type IamPolicyDocument } from '../operations/types';

/** The STS client one-shot sessions are assumed with: the worker's own credentials, no SDK retries (Temporal owns retries). */
export function executorStsClient(aws: AwsSettings): STSClient {
  return new STSClient({
    region: aws.region,
    maxAttempts: 1,
    ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
    ...(aws.baseCredentials ? { credentials: aws.baseCredentials } : {}),
  });
}

/**
 * The shortest session STS issues. The credentials stop working much sooner: every statement of
 * their session policy is bounded by `aws:CurrentTime` (`OneShotRoleRequest.notAfter`).
 */
export const SESSION_DURATION_SECONDS = 900;

/** STS caps: role session name and source identity 2–64 chars; session tag values 256. */
const STS_NAME_MIN = 2;
const STS_NAME_MAX = 64;
const TAG_VALUE_MAX = 256;
const SHORT_HASH_CHARS = 8;

export const SESSION_TAG_KEYS = {
  actionId: 'airlock-action-id',
  action: 'airlock-action',
  approvers: 'airlock-approvers',
} as const;

/** One operation's AssumeRole: who asked, who approved, and the session policy. */
export interface OneShotRoleRequest {
  roleArn: string;
  /** The operation's policy: what may be done, where. `notAfter` adds when. */
  sessionPolicy: IamPolicyDocument;
  /**
   * After this time AWS refuses every call of the session: each statement of the session policy
   * gets `DateLessThan aws:CurrentTime` (operations/session-time.ts `sessionWindow`).
   */
  notAfter: Date;
  actionId: string;
  action: string;
  /** Requester identity id; becomes the SourceIdentity. */
  requester: string;
  approvers: string[];
  /** Distinguishes the read-only sessions (`<action id>.preview`, `<action id>.recheck`) in CloudTrail. */
  purpose?: SessionPurpose;
}

/**
 * Why a one-shot session exists: `execute` runs the operation; `preview` reads its impact before
 * review; `recheck` reads, on a retry after an attempt whose outcome is unknown, whether the change
 * is already in place. Both read-only purposes run under the operation's preview policy.
 */
export type SessionPurpose = 'execute' | 'preview' | 'recheck';

/** The names of the session (safe to record anywhere). */
export interface OneShotSession {
  roleArn: string;
  roleSessionName: string;
  sourceIdentity: string;
}

/** The credentials stay in the calling activity's memory; only `session` may leave it. */
export interface OneShotRole {
  credentials: AwsCredentialIdentity;
  session: OneShotSession;
  /** The session policy exactly as STS received it (`Policy`, time bound included): what the credentials may do. */
  policy: string;
}

/**
 * A value in STS's name charset `[\w+=,.@-]`, 2–64 chars. Unchanged when already valid; otherwise
 * other characters become `-`, and a short hash of the original is appended (after truncating if
 * needed) so that different inputs still give different names.
 */
export function stsName(value: string): string {
  const clean = value.replace(/[^\w+=,.@-]/g, '-');
  if (clean === value && clean.length >= STS_NAME_MIN && clean.length <= STS_NAME_MAX) return clean;
  const hash = shortHash(value);
  return `${clean.slice(0, STS_NAME_MAX - 1 - hash.length)}-${hash}`;
}

/** The role session name for an action: its id, in STS's charset and length. */
function sessionNameFor(request: OneShotRoleRequest): string {
  const purpose = request.purpose ?? 'execute';
  return roleSessionName(purpose === 'execute' ? request.actionId : `${request.actionId}.${purpose}`);
}

export function roleSessionName(actionId: string): string {
  return stsName(actionId);
}

/** The SourceIdentity for a requester: its id, in STS's charset and length. */
export function sourceIdentity(requesterId: string): string {
  return stsName(requesterId);
}

/** A session tag value: characters outside `[\p{L}\p{Z}\p{N}_.:/=+\-@]` become `_`; at most 256 characters. */
export function sessionTagValue(value: string): string {
  return Array.from(value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_'))
    .slice(0, TAG_VALUE_MAX)
    .join('');
}

/**
 * Approver ids space-separated, each sanitized (inner whitespace becomes `_`). When they do not all
 * fit in 256 characters, as many as fit are kept and ` +N` says how many were left out.
 */
export function approversTagValue(approvers: readonly string[]): string {
  const ids = approvers.map((id) => sessionTagValue(id.replace(/\s/gu, '_')));
  const all = ids.join(' ');
  if (charCount(all) <= TAG_VALUE_MAX) return all;
  const kept: string[] = [];
  for (const id of ids) {
    const omitted = ids.length - kept.length - 1;
    if (charCount([...kept, id, `+${omitted}`].join(' ')) > TAG_VALUE_MAX) break;
    kept.push(id);
  }
  return [...kept, `+${ids.length - kept.length}`].join(' ');
}

/** The session tags: action id, action, approvers (visible in CloudTrail and usable in IAM conditions). */
export function sessionTags(request: Pick<OneShotRoleRequest, 'actionId' | 'action' | 'approvers'>): Tag[] {
  return [
    { Key: SESSION_TAG_KEYS.actionId, Value: sessionTagValue(request.actionId) },
    { Key: SESSION_TAG_KEYS.action, Value: sessionTagValue(request.action) },
    { Key: SESSION_TAG_KEYS.approvers, Value: approversTagValue(request.approvers) },
  ];
}

/**
 * The exact AssumeRole input, its session policy bounded in time; throws non-retryable
 * `SessionPolicyTooLarge` when the bounded policy exceeds STS's limit.
 */
export function assumeRoleInput(request: OneShotRoleRequest): AssumeRoleCommandInput {
  const policy = sessionPolicyText(timeBoundPolicy(request.sessionPolicy, request.notAfter));
  if (policy.length > MAX_SESSION_POLICY_CHARS) {
    throw ApplicationFailure.create({
      type: FailureType.SessionPolicyTooLarge,
      message: `session policy for ${request.action} is ${policy.length} characters with its time bound (${iamTime(request.notAfter)}); STS allows ${MAX_SESSION_POLICY_CHARS}`,
      nonRetryable: true,
    });
  }
  return {
    RoleArn: request.roleArn,
    RoleSessionName: sessionNameFor(request),
    Policy: policy,
    DurationSeconds: SESSION_DURATION_SECONDS,
    SourceIdentity: sourceIdentity(request.requester),
    Tags: sessionTags(request),
  };
}

/**
 * STS AssumeRole for exactly one operation: session policy inline and bounded in time (the STS
 * session lasts 15 minutes, the policy allows nothing after `notAfter`), SourceIdentity =
 * requester, tags naming the action and its approvers. SDK errors propagate
 * unchanged (the caller maps them with toApplicationFailure).
 */
export async function assumeOneShotRole(sts: STSClient, request: OneShotRoleRequest): Promise<OneShotRole> {
  const input = assumeRoleInput(request);
  const response = await sts.send(new AssumeRoleCommand(input));
  const issued = response.Credentials;
  if (!issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken) {
    throw ApplicationFailure.create({ type: FailureType.IncompleteCredentials, message: 'sts:AssumeRole returned no complete credentials' });
  }
  return {
    credentials: {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      sessionToken: issued.SessionToken,
      ...(issued.Expiration ? { expiration: issued.Expiration } : {}),
    },
    session: {
      roleArn: request.roleArn,
      roleSessionName: sessionNameFor(request),
      sourceIdentity: sourceIdentity(request.requester),
    },
    policy: input.Policy as string,
  };
}

function shortHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, SHORT_HASH_CHARS);
}

function charCount(text: string): number {
  return Array.from(text).length;
}
