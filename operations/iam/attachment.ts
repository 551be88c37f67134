import type { Policy } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { jsonDigest, PreconditionFailedError, sha256Hex, shortDigest } from '../preconditions';
import { fitsSessionPolicyLimit } from '../session-time';
import { MAX_SESSION_POLICY_CHARS } from '../types';
import type { IamPolicyDocument, OperationPreview } from '../types';
import { grantFlags, type PolicyDiff } from '../iam-policy-diff';
import { describeStatement, normalizePolicy, parsePolicyJson, PolicyDocumentError, readPolicyDocument, type NormalizedStatement } from '../iam-policy-document';
import { accountId, describeRole, iamPath, iamRoleArn, isNoSuchEntity, roleName, type IamSender } from './role';
import { loadIamSdk } from './sdk';

/*
 * Shared by iam.attachRolePolicy (attach-role-policy.ts) and iam.detachRolePolicy
 * (detach-role-policy.ts): the params, the session and preview policies, what the preview reads,
 * and the check just before either writes.
 */

/** `arn:<partition>:iam::<account|aws>:policy<path><name>`, split into its parts. */
const POLICY_ARN_PATTERN = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}|aws):policy(\/(?:[\u0021-\u007e]*\/)?)([\w+=,.@-]{1,128})$/;

/** The parts of a managed policy ARN, or undefined when it is not one. */
export function parsePolicyArn(arn: string): { partition: string; account: string; path: string; name: string } | undefined {
  const match = POLICY_ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  const [, partition = '', account = '', path = '', name = ''] = match;
  return { partition, account, path, name };
}

/**
 * A managed policy ARN: customer managed (`arn:aws:iam::111122223333:policy/name`) or AWS managed
 * (`arn:aws:iam::aws:policy/job-function/ViewOnlyAccess`). It is the value of the session policy's
 * `ArnEquals` condition, where `*` and `?` match like wildcards, so they are refused.
 */
export const policyArn = z
  .string()
  .max(2048, 'policy ARN must be at most 2048 characters long')
  .refine((arn) => !arn.includes('*'), 'policy ARN must not contain "*": it is a wildcard in an IAM ARN condition')
  .refine((arn) => !arn.includes('?'), 'policy ARN must not contain "?": it is a wildcard in an IAM ARN condition')
  .refine((arn) => !arn.includes('${'), 'policy ARN must not contain "${": it starts an IAM policy variable')
  .refine((arn) => parsePolicyArn(arn) !== undefined, 'policy ARN must look like arn:aws:iam::<12-digit account or "aws">:policy[/<path>/]<name>')
  .refine((arn) => !(parsePolicyArn(arn)?.path ?? '/').includes('//'), 'policy ARN path must not contain an empty segment ("//")');

const attachmentFields = z.strictObject({
  accountId,
  roleName,
  rolePath: iamPath.optional(),
  policyArn,
});

export type RolePolicyAttachmentParams = z.infer<typeof attachmentFields>;

/** Params of attach and detach: the role (account, name, optional path) and the managed policy's ARN. */
export const rolePolicyAttachmentParams = attachmentFields
  .refine(
    (p) => {
      const account = parsePolicyArn(p.policyArn)?.account;
      return account === undefined || account === 'aws' || account === p.accountId;
    },
    { error: "policy ARN must name an AWS managed policy or a policy of the role's own account (IAM attaches no other)", path: ['policyArn'] },
  )
  .refine(
    // In the policy ARN's own partition: the worker refuses any other (SessionPolicyError). An ARN
    // that does not parse is refused by its own rules; zod still runs this check, so skip it then.
    (p) => {
      const partition = parsePolicyArn(p.policyArn)?.partition;
      return partition === undefined || fitsSessionPolicyLimit(attachmentSessionPolicy('iam:AttachRolePolicy', p, partition));
    },
    {
      error: `role path and policy ARN are too long together: the session policy would exceed the ${MAX_SESSION_POLICY_CHARS}-character STS limit`,
      path: ['policyArn'],
    },
  );

/**
 * What attach and detach bind their execution to: the managed policy's default version and that
 * version's document (as a digest of its canonical JSON), and whether the role had the policy
 * attached. IAM has no conditional write, so the execution reads them again just before it writes.
 */
export const attachmentPreconditions = z.strictObject({
  defaultVersionId: z.string().min(1),
  documentSha256: sha256Hex,
  attached: z.boolean(),
});

export type AttachmentPreconditions = z.infer<typeof attachmentPreconditions>;

/** The ARN of the role the params name. */
export function attachmentRoleArn(params: RolePolicyAttachmentParams, partition: string): string {
  return iamRoleArn(partition, params.accountId, params.roleName, params.rolePath);
}

/** Refuses a policy ARN of another partition than the worker's: such a request cannot succeed. */
function samePartition(params: RolePolicyAttachmentParams, partition: string): string {
  const own = parsePolicyArn(params.policyArn)?.partition;
  if (own !== partition) throw new Error(`policy ARN ${params.policyArn} is not in partition ${JSON.stringify(partition)}`);
  return params.policyArn;
}

/**
 * Exactly `action` on exactly the named role, and only for the named policy: the `iam:PolicyARN`
 * condition key holds the ARN of the policy being attached or detached. Then the preview's reads,
 * on the same policy and role, so the execution can check just before writing that nothing the
 * preview's diff relied on has changed.
 */
export function attachmentSessionPolicy(
  action: 'iam:AttachRolePolicy' | 'iam:DetachRolePolicy',
  params: RolePolicyAttachmentParams,
  partition: string,
): IamPolicyDocument {
  const arn = samePartition(params, partition);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [action],
        Resource: [attachmentRoleArn(params, partition)],
        Condition: { ArnEquals: { 'iam:PolicyARN': [arn] } },
      },
      ...attachmentPreviewPolicy(params, partition).Statement,
    ],
  };
}

/** Reads only: the policy and its default version, and the role's list of attached policies. */
export function attachmentPreviewPolicy(params: RolePolicyAttachmentParams, partition: string): IamPolicyDocument {
  const arn = samePartition(params, partition);
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'], Resource: [arn] },
      { Effect: 'Allow', Action: ['iam:ListAttachedRolePolicies'], Resource: [attachmentRoleArn(params, partition)] },
    ],
  };
}

/** What the preview reads about one managed policy and one role. */
export interface AttachmentState {
  policy: Policy;
  /** The default version's statements. */
  statements: NormalizedStatement[];
  /** The same document as read, for diffs. */
  document: ReturnType<typeof readPolicyDocument>;
  /** SHA-256 of the whole document's canonical JSON, elements the diff does not read included. */
  documentSha256: string;
  attached: boolean;
  /** How many policies the role has attached now. */
  roleAttachmentCount: number;
}

/** GetPolicy, GetPolicyVersion (its default version), ListAttachedRolePolicies (every page). */
export async function readAttachmentState(params: RolePolicyAttachmentParams, iam: IamSender): Promise<AttachmentState> {
  const { GetPolicyCommand, GetPolicyVersionCommand } = await loadIamSdk();
  const { Policy: policy } = await iam.send(new GetPolicyCommand({ PolicyArn: params.policyArn }));
  if (!policy?.DefaultVersionId) throw new PolicyDocumentError(`GetPolicy returned no default version for ${params.policyArn}`);
  const { PolicyVersion: version } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: params.policyArn, VersionId: policy.DefaultVersionId }));
  const text = version?.Document ?? '';
  const document = readPolicyDocument(text);
  const { attached, count: roleAttachmentCount } = await roleAttachments(params, iam);
  return { policy, statements: normalizePolicy(document), document, documentSha256: jsonDigest(parsePolicyJson(text)), attached, roleAttachmentCount };
}

/** ListAttachedRolePolicies, every page: whether the role has the policy, and how many it has. */
export async function roleAttachments(params: RolePolicyAttachmentParams, iam: IamSender): Promise<{ attached: boolean; count: number }> {
  const { ListAttachedRolePoliciesCommand } = await loadIamSdk();
  let attached = false;
  let count = 0;
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: params.roleName, ...(marker ? { Marker: marker } : {}) }));
    const policies = page.AttachedPolicies ?? [];
    count += policies.length;
    if (policies.some((p) => p.PolicyArn === params.policyArn)) attached = true;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return { attached, count };
}

/** What the preview binds the execution to, from what it read. */
export function attachmentPreconditionsOf(state: AttachmentState): AttachmentPreconditions {
  return { defaultVersionId: state.policy.DefaultVersionId ?? '', documentSha256: state.documentSha256, attached: state.attached };
}

/**
 * Reads the policy and the role's attachments again and fails, writing nothing, when anything the
 * preview's diff relied on differs. IAM has no conditional write: a change in the moment between
 * this read and the write (and one IAM's eventual consistency does not show yet) is not seen.
 */
export async function checkAttachmentAsPreviewed(params: RolePolicyAttachmentParams, iam: IamSender, reviewed: AttachmentPreconditions): Promise<void> {
  let state: AttachmentState;
  try {
    state = await readAttachmentState(params, iam);
  } catch (err) {
    if (!isNoSuchEntity(err)) throw err;
    throw new PreconditionFailedError(`${params.policyArn} or ${describeRole(params)} no longer exists (both did when previewed); nothing was changed`);
  }
  const now = attachmentPreconditionsOf(state);
  const changes: string[] = [];
  if (now.defaultVersionId !== reviewed.defaultVersionId) {
    changes.push(`its default version is ${now.defaultVersionId}, the preview read ${reviewed.defaultVersionId}`);
  } else if (now.documentSha256 !== reviewed.documentSha256) {
    changes.push(
      `the document of ${now.defaultVersionId} differs (digest ${shortDigest(reviewed.documentSha256)} then, ${shortDigest(now.documentSha256)} now)`,
    );
  }
  if (now.attached !== reviewed.attached) {
    changes.push(`it was ${reviewed.attached ? '' : 'not '}attached to ${describeRole(params)} when previewed, and is ${now.attached ? '' : 'not '}now`);
  }
  if (changes.length > 0) throw new PreconditionFailedError(`${params.policyArn} changed after the preview: ${changes.join('; ')}; nothing was changed`);
}

/** Notes listed per statement at most; the detail carries the whole document. */
const MAX_STATEMENT_NOTES = 20;

/** One note per statement (capped), e.g. `Allow s3:GetObject on arn:aws:s3:::b/* (statement "Read")`. */
export function statementNotes(statements: NormalizedStatement[], prefix: string): string[] {
  const shown = statements.slice(0, MAX_STATEMENT_NOTES).map((s) => `${prefix}${describeStatement(s)}${s.sid ? ` ("${s.sid}")` : ''}`);
  if (statements.length > MAX_STATEMENT_NOTES) shown.push(`… and ${statements.length - MAX_STATEMENT_NOTES} more statements (see the detail)`);
  return shown;
}

/** `ReadReports (v3, attached to 2 entities)`. */
export function describePolicy(state: AttachmentState): string {
  const count = state.policy.AttachmentCount;
  const attachments = count === undefined ? '' : `, attached to ${count} ${count === 1 ? 'entity' : 'entities'}`;
  return `${state.policy.PolicyName ?? 'policy'} (${state.policy.DefaultVersionId}${attachments})`;
}

/** Facts both previews share. */
export function attachmentFacts(state: AttachmentState, diff: PolicyDiff): OperationPreview['facts'] {
  const flags = grantFlags(state.statements);
  return {
    alreadyAttached: state.attached,
    ...(state.policy.AttachmentCount !== undefined ? { attachmentCount: state.policy.AttachmentCount } : {}),
    wildcardAction: flags.wildcardAction,
    wildcardResource: flags.wildcardResource,
    widensAccess: diff.widens,
  };
}
