import { defineOperation } from '../sdk';
import type { Role } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { LONGEST_PARTITION } from '../arn';
import { jsonDigest, PreconditionFailedError, sha256Hex, shortDigest } from '../preconditions';
import { fitsSessionPolicyLimit } from '../session-time';
import { MAX_SESSION_POLICY_CHARS } from '../types';
import type { ExecutionContext, IamPolicyDocument, OperationContext, OperationOutcome, OperationPreview } from '../types';
import { withClient } from '../with-client';
import { diffPolicies, grantFlags, grantWarnings } from '../iam-policy-diff';
import { normalizePolicy, parsePolicyJson, policyDocument, readPolicyDocument, type PolicyInput } from '../iam-policy-document';
import { accountId, describeRole, iamClient, iamPath, iamRoleArn, isNoSuchEntity, roleName, type IamSender } from './role';
import { loadIamSdk } from './sdk';

/** A name of an inline policy. */
export const inlinePolicyName = z
  .string()
  .min(1, 'policy name must be 1 to 128 characters long')
  .max(128, 'policy name must be 1 to 128 characters long')
  .regex(/^[\w+=,.@-]+$/, 'policy name may contain only letters, digits and _+=,.@-');

/** IAM quota: all inline policies of one role together, whitespace not counted. */
export const MAX_ROLE_INLINE_POLICY_CHARS = 10240;

const putRolePolicyFields = z.strictObject({
  accountId,
  roleName,
  rolePath: iamPath.optional(),
  policyName: inlinePolicyName,
  policyDocument,
});

export type PutRolePolicyParams = z.infer<typeof putRolePolicyFields>;

/** Params of `iam.putRolePolicy`: the role (account, name, optional path), the inline policy's name and its document. */
export const putRolePolicyParams = putRolePolicyFields
  .refine((p) => JSON.stringify(p.policyDocument).length <= MAX_ROLE_INLINE_POLICY_CHARS, {
    error: `policy document is too long: IAM allows ${MAX_ROLE_INLINE_POLICY_CHARS} characters for all inline policies of a role`,
    path: ['policyDocument'],
  })
  .refine((p) => fitsSessionPolicyLimit(putRolePolicySessionPolicy(p, LONGEST_PARTITION)), {
    error: `role path and name are too long: the session policy would exceed the ${MAX_SESSION_POLICY_CHARS}-character STS limit`,
    path: ['rolePath'],
  });

/**
 * What `iam.putRolePolicy` binds its execution to: the inline policy the diff was computed
 * against, as a digest of its canonical JSON, or null when the role had no inline policy of that
 * name. IAM has no conditional write, so the execution reads it again just before it writes.
 */
export const putRolePolicyPreconditions = z.strictObject({
  currentPolicySha256: sha256Hex.nullable(),
});

export type PutRolePolicyPreconditions = z.infer<typeof putRolePolicyPreconditions>;

function roleArnOf(params: PutRolePolicyParams, partition: string): string {
  return iamRoleArn(partition, params.accountId, params.roleName, params.rolePath);
}

/**
 * iam:PutRolePolicy on exactly the named role, and iam:GetRolePolicy on it to check, just before
 * writing, that the inline policy is still the one the preview's diff was computed against. IAM
 * has no condition key for the inline policy's name, so the session could put (or read) any inline
 * policy on that one role; the request and the review name the one it will put.
 */
export function putRolePolicySessionPolicy(params: PutRolePolicyParams, partition: string): IamPolicyDocument {
  const role = roleArnOf(params, partition);
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['iam:PutRolePolicy'], Resource: [role] },
      { Effect: 'Allow', Action: ['iam:GetRolePolicy'], Resource: [role] },
    ],
  };
}

/** Reads only: the role (to tell a missing role from a missing policy) and its inline policy. */
export function putRolePolicyPreviewPolicy(params: PutRolePolicyParams, partition: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['iam:GetRole', 'iam:GetRolePolicy'], Resource: [roleArnOf(params, partition)] }],
  };
}

function statementCount(n: number): string {
  return `${n} ${n === 1 ? 'statement' : 'statements'}`;
}

function summarize(params: PutRolePolicyParams): string {
  return `put inline policy "${params.policyName}" (${statementCount(params.policyDocument.Statement.length)}) on ${describeRole(params)}`;
}

/** The role's own facts worth a note: a path that differs from the request, a permissions boundary. */
function roleNotes(role: Role | undefined, expectedArn: string): { notes: string[]; warnings: string[] } {
  const notes: string[] = [];
  const warnings: string[] = [];
  if (role?.Arn && role.Arn !== expectedArn) {
    warnings.push(`the role's ARN is ${role.Arn}, not ${expectedArn}: the session policy names the latter, so the change would be denied`);
  }
  const boundary = role?.PermissionsBoundary?.PermissionsBoundaryArn;
  if (boundary) notes.push(`the role has the permissions boundary ${boundary}: it caps what any of its policies can grant`);
  return { notes, warnings };
}

/**
 * The impact of putting the inline policy: the role must exist (GetRole), the current inline
 * policy of that name is read (NoSuchEntity: none yet) and compared with the proposed one.
 * Facts: `exists`, `addedActions`, `removedActions`, `widensAccess`, `wildcardAction`, `wildcardResource`.
 */
export async function previewPutRolePolicy(params: PutRolePolicyParams, iam: IamSender, partition: string): Promise<OperationPreview> {
  const roleArn = roleArnOf(params, partition);
  const { GetRoleCommand } = await loadIamSdk();
  const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: params.roleName }));
  const inline = await readInlinePolicy(params, iam);
  const current = inline?.document;

  const diff = diffPolicies(current, params.policyDocument);
  const flags = grantFlags(normalizePolicy(params.policyDocument));
  const { notes, warnings } = roleNotes(role, roleArn);
  const proposedCount = statementCount(params.policyDocument.Statement.length);

  if (current) {
    const currentCount = statementCount(normalizePolicy(current).length);
    notes.unshift(`replaces inline policy "${params.policyName}" of ${roleArn} (${currentCount}) with ${proposedCount}`);
    notes.push(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`);
  } else {
    notes.unshift(`creates inline policy "${params.policyName}" on ${roleArn} with ${proposedCount}`);
  }
  if (diff.addedActions.length > 0) notes.push(`actions new to this policy: ${diff.addedActions.join(', ')}`);
  if (diff.removedActions.length > 0) notes.push(`actions no longer in this policy: ${diff.removedActions.join(', ')}`);
  if (!diff.widens) notes.push('does not widen the access this policy grants');

  warnings.push(...diff.reasons.map((reason) => `widens access: ${reason}`), ...grantWarnings(diff.widening, `role ${params.roleName}`));

  return {
    facts: {
      exists: current !== undefined,
      addedActions: diff.addedActions.length,
      removedActions: diff.removedActions.length,
      widensAccess: diff.widens,
      wildcardAction: flags.wildcardAction,
      wildcardResource: flags.wildcardResource,
    },
    notes,
    warnings,
    detail: diff.text,
    preconditions: { currentPolicySha256: inline?.sha256 ?? null } satisfies PutRolePolicyPreconditions,
  };
}

/** The role's inline policy of that name, parsed and as a digest; undefined when it has none (NoSuchEntity). */
async function readInlinePolicy(params: PutRolePolicyParams, iam: IamSender): Promise<{ document: PolicyInput; sha256: string } | undefined> {
  const { GetRolePolicyCommand } = await loadIamSdk();
  try {
    const response = await iam.send(new GetRolePolicyCommand({ RoleName: params.roleName, PolicyName: params.policyName }));
    const text = response.PolicyDocument ?? '';
    // The digest covers the whole document as stored, elements the diff does not read (Id) included.
    return { document: readPolicyDocument(text), sha256: jsonDigest(parsePolicyJson(text)) };
  } catch (err) {
    if (!isNoSuchEntity(err)) throw err;
    return undefined;
  }
}

async function preview(params: PutRolePolicyParams, context: OperationContext): Promise<OperationPreview> {
  return withClient(await iamClient(context), async (iam) => {
    return await previewPutRolePolicy(params, iam, context.partition);
  });
}

/**
 * Reads the inline policy again and puts the new one only if it is still the one the diff was
 * computed against. IAM has no conditional write: a change in the moment between this read and
 * the put (and one IAM's eventual consistency does not show yet) is not seen.
 */
export async function putAsPreviewed(
  params: PutRolePolicyParams,
  iam: IamSender,
  partition: string,
  reviewed: PutRolePolicyPreconditions,
): Promise<OperationOutcome> {
  const now = (await readInlinePolicy(params, iam))?.sha256 ?? null;
  if (now !== reviewed.currentPolicySha256) throw new PreconditionFailedError(inlinePolicyChanged(params, reviewed.currentPolicySha256, now));
  const { PutRolePolicyCommand } = await loadIamSdk();
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: params.roleName,
      PolicyName: params.policyName,
      // Compact JSON of the document as requested and reviewed, element for element.
      PolicyDocument: JSON.stringify(params.policyDocument),
    }),
  );
  return outcome(params, partition);
}

function outcome(params: PutRolePolicyParams, partition: string): OperationOutcome {
  return {
    summary: summarize(params),
    outputs: {
      roleArn: roleArnOf(params, partition),
      policyName: params.policyName,
      statements: params.policyDocument.Statement.length,
    },
  };
}

/** What changed, for the failure: created, deleted, or replaced (with short digests). */
function inlinePolicyChanged(params: PutRolePolicyParams, reviewed: string | null, now: string | null): string {
  const policy = `inline policy "${params.policyName}" of ${describeRole(params)}`;
  const change =
    reviewed === null
      ? 'did not exist when the diff was computed, and exists now'
      : now === null
        ? 'was deleted after the diff was computed'
        : `was replaced after the diff was computed (digest ${shortDigest(reviewed)} then, ${shortDigest(now)} now)`;
  return `${policy} ${change}; nothing was put`;
}

/**
 * After an attempt whose outcome is unknown: the put is in place when the role's inline policy is
 * the requested document (compared as canonical JSON). Read under the preview policy.
 */
export async function findPutApplied(params: PutRolePolicyParams, iam: IamSender, partition: string): Promise<OperationOutcome | undefined> {
  const now = await readInlinePolicy(params, iam);
  return now?.sha256 === jsonDigest(params.policyDocument) ? outcome(params, partition) : undefined;
}

async function execute(params: PutRolePolicyParams, context: ExecutionContext<PutRolePolicyPreconditions>): Promise<OperationOutcome> {
  return withClient(await iamClient(context), (iam) => putAsPreviewed(params, iam, context.partition, context.preconditions));
}

/** `iam.putRolePolicy`: create or replace one inline policy of one role. Putting the same document again changes nothing. */
export const iamPutRolePolicy = defineOperation<PutRolePolicyParams, PutRolePolicyPreconditions>({
  name: 'iam.putRolePolicy',
  title: 'Put an inline policy on an IAM role',
  description:
    'Creates or replaces one inline policy of one IAM role (PutRolePolicy) with the given policy document. ' +
    'The preview compares it with the current policy of that name and flags any widening of access. ' +
    'The session may call only iam:PutRolePolicy and iam:GetRolePolicy, only on that role; ' +
    'it puts the policy only if the current one is still the one the diff was computed against.',
  params: putRolePolicyParams,
  // The document can name internal resources and conditions: reviewers read it, logs do not.
  sensitiveParams: ['policyDocument'] satisfies (keyof PutRolePolicyParams)[],
  idempotent: true,
  // One read and one write.
  runningTimeSeconds: 30,
  summarize,
  sessionPolicy: putRolePolicySessionPolicy,
  execute,
  previewPolicy: putRolePolicyPreviewPolicy,
  preview,
  preconditions: putRolePolicyPreconditions,
  findApplied: async (params, context) => withClient(await iamClient(context), (iam) => findPutApplied(params, iam, context.partition)),
  examples: [
    {
      accountId: '111122223333',
      roleName: 'ci-deployer',
      policyName: 'read-reports',
      policyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::reports/*'] }] },
    },
  ],
});
