import { defineOperation } from '../sdk';
import type { ExecutionContext, OperationContext, OperationOutcome, OperationPreview } from '../types';
import { withClient } from '../with-client';
import {
  attachmentFacts,
  attachmentPreconditions,
  attachmentPreconditionsOf,
  attachmentPreviewPolicy,
  attachmentRoleArn,
  attachmentSessionPolicy,
  checkAttachmentAsPreviewed,
  describePolicy,
  readAttachmentState,
  roleAttachments,
  rolePolicyAttachmentParams,
  statementNotes,
  type AttachmentPreconditions,
  type RolePolicyAttachmentParams,
} from './attachment';
import { diffPolicies } from '../iam-policy-diff';
import { describeRole, iamClient, isNoSuchEntity, type IamSender } from './role';
import { loadIamSdk } from './sdk';

/**
 * The impact of detaching: what access goes away, and whether the policy is attached at all.
 * Facts: `alreadyAttached` (attached now), `attachmentCount` (when IAM gives it), `wildcardAction`,
 * `wildcardResource` (of the policy), `widensAccess` (attached and it has Deny statements, which
 * stop applying).
 */
export async function previewDetachRolePolicy(params: RolePolicyAttachmentParams, iam: IamSender, partition: string): Promise<OperationPreview> {
  const state = await readAttachmentState(params, iam);
  const roleArn = attachmentRoleArn(params, partition);
  const diff = state.attached ? diffPolicies(state.document, { Statement: [] }) : diffPolicies(state.document, state.document);
  const notes: string[] = [];
  const warnings: string[] = [];

  if (state.attached) {
    notes.push(`detaches ${params.policyArn} ${describePolicy(state)} from ${roleArn}`);
    const allows = state.statements.filter((s) => s.effect === 'Allow');
    if (allows.length > 0) {
      notes.push(...statementNotes(allows, 'no longer grants: '));
      notes.push('other policies of the role may still grant some of this access');
    }
    warnings.push(...diff.reasons.map((reason) => `widens access: ${reason}`));
  } else {
    notes.push(`${params.policyArn} is not attached to ${roleArn}: detaching it changes nothing`);
  }

  return {
    facts: attachmentFacts(state, diff),
    notes,
    warnings,
    detail: diffPolicies(state.document, { Statement: [] }).text,
    preconditions: attachmentPreconditionsOf(state),
  };
}

function summarize(params: RolePolicyAttachmentParams): string {
  return `detach ${params.policyArn} from ${describeRole(params)}`;
}

async function preview(params: RolePolicyAttachmentParams, context: OperationContext): Promise<OperationPreview> {
  return withClient(await iamClient(context), async (iam) => {
    return await previewDetachRolePolicy(params, iam, context.partition);
  });
}

/**
 * Detaches the policy, if the policy and the role are still as previewed. When the preview found
 * it not attached (and it still is not), IAM answers NoSuchEntity and nothing changes.
 */
export async function detachAsPreviewed(
  params: RolePolicyAttachmentParams,
  iam: IamSender,
  partition: string,
  reviewed: AttachmentPreconditions,
): Promise<OperationOutcome> {
  const outputs = { roleArn: attachmentRoleArn(params, partition), policyArn: params.policyArn };
  await checkAttachmentAsPreviewed(params, iam, reviewed);
  const { DetachRolePolicyCommand } = await loadIamSdk();
  try {
    await iam.send(new DetachRolePolicyCommand({ RoleName: params.roleName, PolicyArn: params.policyArn }));
    return { summary: summarize(params), outputs: { ...outputs, detached: true } };
  } catch (err) {
    // IAM answers NoSuchEntity when the policy is not attached (or the role or policy does not
    // exist): either way it is not attached, which is what was asked. Treating it as done keeps a
    // retry after a lost response from failing an action whose detach went through.
    if (!isNoSuchEntity(err)) throw err;
    return { summary: `${summarize(params)}: it was not attached`, outputs: { ...outputs, detached: false } };
  }
}

async function execute(params: RolePolicyAttachmentParams, context: ExecutionContext<AttachmentPreconditions>): Promise<OperationOutcome> {
  return withClient(await iamClient(context), (iam) => detachAsPreviewed(params, iam, context.partition, context.preconditions));
}

/**
 * After an attempt whose outcome is unknown: the detach is in place when the role no longer has the
 * policy (without this, the retry would find "not attached", which the preview did not, and fail).
 * `detached` says what the preview expected: whether the policy was attached then.
 */
async function findApplied(params: RolePolicyAttachmentParams, context: ExecutionContext<AttachmentPreconditions>): Promise<OperationOutcome | undefined> {
  return withClient(await iamClient(context), async (iam) => {
    if ((await roleAttachments(params, iam)).attached) return undefined;
    const outputs = { roleArn: attachmentRoleArn(params, context.partition), policyArn: params.policyArn, detached: context.preconditions.attached };
    return { summary: summarize(params), outputs };
  });
}

/** `iam.detachRolePolicy`: detach one managed policy from one role. Detaching a detached policy changes nothing. */
export const iamDetachRolePolicy = defineOperation<RolePolicyAttachmentParams, AttachmentPreconditions>({
  name: 'iam.detachRolePolicy',
  title: 'Detach a managed policy from an IAM role',
  description:
    'Detaches one managed policy from one IAM role (DetachRolePolicy). The preview shows what access goes away. ' +
    "The session may call only iam:DetachRolePolicy, only on that role, only for that policy, and read that policy and the role's attachments; " +
    "it detaches only if the policy's default version is still the one previewed.",
  params: rolePolicyAttachmentParams,
  idempotent: true,
  // Three reads (every page of the role's attachments) and one write.
  runningTimeSeconds: 30,
  summarize,
  sessionPolicy: (params, partition) => attachmentSessionPolicy('iam:DetachRolePolicy', params, partition),
  execute,
  previewPolicy: attachmentPreviewPolicy,
  preview,
  preconditions: attachmentPreconditions,
  findApplied,
  examples: [{ accountId: '111122223333', roleName: 'ci-deployer', policyArn: 'arn:aws:iam::111122223333:policy/team/read-reports' }],
});
