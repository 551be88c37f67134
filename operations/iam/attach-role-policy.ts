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
import { diffPolicies, grantWarnings } from '../iam-policy-diff';
import { describeRole, iamClient, type IamSender } from './role';
import { loadIamSdk } from './sdk';

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
    notes.push(
      `attaches ${params.policyArn} ${describePolicy(state)} to ${roleArn}, which has ${state.roleAttachmentCount} managed ${state.roleAttachmentCount === 1 ? 'policy' : 'policies'} attached`,
    );
    notes.push(...statementNotes(state.statements, 'grants: '));
    warnings.push(...diff.reasons.map((reason) => `widens access: ${reason}`), ...grantWarnings(diff.widening, `role ${params.roleName}`));
  }
  if (state.policy.IsAttachable === false) warnings.push(`${params.policyArn} is not attachable: IAM will refuse to attach it`);

  return {
    facts: attachmentFacts(state, diff),
    notes,
    warnings,
    detail: diffPolicies(undefined, state.document).text,
    preconditions: attachmentPreconditionsOf(state),
  };
}

function summarize(params: RolePolicyAttachmentParams): string {
  return `attach ${params.policyArn} to ${describeRole(params)}`;
}

async function preview(params: RolePolicyAttachmentParams, context: OperationContext): Promise<OperationPreview> {
  return withClient(await iamClient(context), async (iam) => {
    return await previewAttachRolePolicy(params, iam, context.partition);
  });
}

function outcome(params: RolePolicyAttachmentParams, partition: string): OperationOutcome {
  return { summary: summarize(params), outputs: { roleArn: attachmentRoleArn(params, partition), policyArn: params.policyArn } };
}

/** Attaches the policy, if the policy and the role are still as previewed. */
export async function attachAsPreviewed(
  params: RolePolicyAttachmentParams,
  iam: IamSender,
  partition: string,
  reviewed: AttachmentPreconditions,
): Promise<OperationOutcome> {
  await checkAttachmentAsPreviewed(params, iam, reviewed);
  const { AttachRolePolicyCommand } = await loadIamSdk();
  await iam.send(new AttachRolePolicyCommand({ RoleName: params.roleName, PolicyArn: params.policyArn }));
  return outcome(params, partition);
}

async function execute(params: RolePolicyAttachmentParams, context: ExecutionContext<AttachmentPreconditions>): Promise<OperationOutcome> {
  return withClient(await iamClient(context), (iam) => attachAsPreviewed(params, iam, context.partition, context.preconditions));
}

/**
 * After an attempt whose outcome is unknown: the attach is in place when the role has the policy
 * (without this, the retry would find "attached", which the preview did not, and fail).
 */
async function findApplied(params: RolePolicyAttachmentParams, context: ExecutionContext<AttachmentPreconditions>): Promise<OperationOutcome | undefined> {
  return withClient(await iamClient(context), async (iam) => ((await roleAttachments(params, iam)).attached ? outcome(params, context.partition) : undefined));
}

/** `iam.attachRolePolicy`: attach one managed policy to one role. Attaching an attached policy succeeds and changes nothing. */
export const iamAttachRolePolicy = defineOperation<RolePolicyAttachmentParams, AttachmentPreconditions>({
  name: 'iam.attachRolePolicy',
  title: 'Attach a managed policy to an IAM role',
  description:
    "Attaches one managed policy (customer managed in the role's account, or AWS managed) to one IAM role (AttachRolePolicy). " +
    'The preview shows what the policy grants and whether the role has it already. ' +
    "The session may call only iam:AttachRolePolicy, only on that role, only for that policy, and read that policy and the role's attachments; " +
    "it attaches only if the policy's default version is still the one previewed.",
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
  examples: [{ accountId: '111122223333', roleName: 'ci-deployer', policyArn: 'arn:aws:iam::111122223333:policy/team/read-reports' }],
});
