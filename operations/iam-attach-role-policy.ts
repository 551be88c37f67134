import { AttachRolePolicyCommand, GetPolicyCommand, GetPolicyVersionCommand, ListAttachedRolePoliciesCommand, type Policy } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { accountId, describeRole, iamClient, iamPath, iamRoleArn, isNoSuchEntity, roleName, type IamSender } from './iam-put-role-policy';
import {
  describeStatement,
  diffPolicies,
  grantFlags,
  grantWarnings,
  normalizePolicy,
  parsePolicyJson,
  PolicyDocumentError,
  readPolicyDocument,
  type NormalizedStatement,
  type PolicyDiff,
} from './policy-diff';
import { jsonDigest, PreconditionFailedError, sha256Hex, shortDigest } from './preconditions';
import { fitsSessionPolicyLimit } from './session-time';
import { MAX_SESSION_POLICY_CHARS } from './types';
import type { ExecutionContext, IamPolicyDocument, Operation, OperationContext, OperationOutcome, OperationPreview } from './types';
import { withClient } from './with-client';

/*
 * Shared by iam.attachRolePolicy and iam.detachRolePolicy (iam-detach-role-policy.ts): the params,
 * the session and preview policies, and what the preview reads.
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
    { error: 'policy ARN must name an AWS managed policy or a policy of the role\'s own account (IAM attaches no other)', path: ['policyArn'] },
  )
  .refine(
    // In the policy ARN's own partition: the worker refuses any other (SessionPolicyError). An ARN
    // that does not parse is refused by its own rules; zod still runs this check, so skip it then.
    (p) => {
      const partition = parsePolicyArn(p.policyArn)?.partition;
      return partition === undefined || fitsSessionPolicyLimit(attachmentSessionPolicy('iam:AttachRolePolicy', p, partition));
    },
    { error: `role path and policy ARN are too long together: the session policy would exceed the ${MAX_SESSION_POLICY_CHARS}-character STS limit`, path: ['policyArn'] },
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
export function attachmentSessionPolicy(action: 'iam:AttachRolePolicy' | 'iam:DetachRolePolicy', params: RolePolicyAttachmentParams, partition: string): IamPolicyDocument {
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
    changes.push(`the document of ${now.defaultVersionId} differs (digest ${shortDigest(reviewed.documentSha256)} then, ${shortDigest(now.documentSha256)} now)`);
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

/**
 * The impact of attaching: the policy's default version, whether the role has it already, and what
 * it grants. Facts: `alreadyAttached`, `attachmentCount` (when IAM gives it), `wildcardAction`,
 * `wildcardResource`, `widensAccess` (not yet attached and the policy allows anything).
 */
export async function previewAttachRolePolicy(params: RolePolicyAttachmentParams, iam: IamSender, partition: string): Promise<OperationPreview> {
  const state = await readAttachmentState(params, iam);
  const roleArn = attachmentRoleArn(params, partition);
  // Attached already: nothing changes. Otherwise every statement is new to the role.
  const diff = state.attached ? diffPolicies(state.document, state.document) : diffPolicies(undefined, state.document);
  const notes: string[] = [];
  const warnings: string[] = [];

  if (state.attached) {
    notes.push(`${params.policyArn} is already attached to ${roleArn}: attaching it again changes nothing`);
  } else {
    notes.push(`attaches ${params.policyArn} ${describePolicy(state)} to ${roleArn}, which has ${state.roleAttachmentCount} managed ${state.roleAttachmentCount === 1 ? 'policy' : 'policies'} attached`);
    notes.push(...statementNotes(state.statements, 'grants: '));
    warnings.push(...diff.reasons.map((reason) => `widens access: ${reason}`), ...grantWarnings(diff.widening, `role ${params.roleName}`));
  }
  if (state.policy.IsAttachable === false) warnings.push(`${params.policyArn} is not attachable: IAM will refuse to attach it`);

  return { facts: attachmentFacts(state, diff), notes, warnings, detail: diffPolicies(undefined, state.document).text, preconditions: attachmentPreconditionsOf(state) };
}

function summarize(params: RolePolicyAttachmentParams): string {
  return `attach ${params.policyArn} to ${describeRole(params)}`;
}

async function preview(params: RolePolicyAttachmentParams, context: OperationContext): Promise<OperationPreview> {
  return withClient(iamClient(context), async (iam) => {
    return await previewAttachRolePolicy(params, iam, context.partition);
  });
}

function outcome(params: RolePolicyAttachmentParams, partition: string): OperationOutcome {
  return { summary: summarize(params), outputs: { roleArn: attachmentRoleArn(params, partition), policyArn: params.policyArn } };
}

/** Attaches the policy, if the policy and the role are still as previewed. */
export async function attachAsPreviewed(params: RolePolicyAttachmentParams, iam: IamSender, partition: string, reviewed: AttachmentPreconditions): Promise<OperationOutcome> {
  await checkAttachmentAsPreviewed(params, iam, reviewed);
  await iam.send(new AttachRolePolicyCommand({ RoleName: params.roleName, PolicyArn: params.policyArn }));
  return outcome(params, partition);
}

function execute(params: RolePolicyAttachmentParams, context: ExecutionContext<AttachmentPreconditions>): Promise<OperationOutcome> {
  return withClient(iamClient(context), (iam) => attachAsPreviewed(params, iam, context.partition, context.preconditions));
}

/**
 * After an attempt whose outcome is unknown: the attach is in place when the role has the policy
 * (without this, the retry would find "attached", which the preview did not, and fail).
 */
async function findApplied(params: RolePolicyAttachmentParams, context: ExecutionContext<AttachmentPreconditions>): Promise<OperationOutcome | undefined> {
  return withClient(iamClient(context), async (iam) => ((await roleAttachments(params, iam)).attached ? outcome(params, context.partition) : undefined));
}

/** `iam.attachRolePolicy`: attach one managed policy to one role. Attaching an attached policy succeeds and changes nothing. */
export const iamAttachRolePolicy: Operation<RolePolicyAttachmentParams, AttachmentPreconditions> = {
  name: 'iam.attachRolePolicy',
  title: 'Attach a managed policy to an IAM role',
  description:
    'Attaches one managed policy (customer managed in the role\'s account, or AWS managed) to one IAM role (AttachRolePolicy). ' +
    'The preview shows what the policy grants and whether the role has it already. ' +
    'The session may call only iam:AttachRolePolicy, only on that role, only for that policy, and read that policy and the role\'s attachments; ' +
    'it attaches only if the policy\'s default version is still the one previewed.',
  params: rolePolicyAttachmentParams,
  idempotent: true,
  // Three reads (every page of the role's attachments) and one write.
  runningTimeSeconds: 30,
  summarize,
  sessionPolicy: (params, partition) => attachmentSessionPolicy('iam:AttachRolePolicy', params, partition),
  execute,
  previewPolicy: attachmentPreviewPolicy,
  preview,
  preconditions: attachmentPreconditions,
  findApplied,
};
