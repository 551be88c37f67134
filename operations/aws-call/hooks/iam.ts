import type * as IamSdk from '@aws-sdk/client-iam';
import { withClient } from '../../with-client';
import type { HookContext, PreviewHook } from './hook';
import { lookAtRole, type RoleCall } from './iam-role';
import { lookAtInlinePolicy } from './iam-role-policy';
import { callClientConfig } from '../sdk-client';

/** Runs `use` with the IAM SDK and a client on the hook's credentials, destroyed after. */
async function withIam<T>(context: HookContext, use: (sdk: typeof IamSdk, iam: IamSdk.IAMClient) => Promise<T>): Promise<T> {
  const sdk = await import('@aws-sdk/client-iam');
  const client = new sdk.IAMClient(callClientConfig('iam', context));
  return withClient(client, (iam) => use(sdk, iam));
}

function roleHook(call: RoleCall, reads: readonly string[], rechecks: boolean): PreviewHook {
  return { reads, rechecks, look: (params, context) => withIam(context, (sdk, iam) => lookAtRole(sdk, iam, call, params.input)) };
}

/**
 * IAM Write calls on a role. Bound where the call replaces or removes something whose content was
 * reviewed: the inline policy (Put/DeleteRolePolicy), the trust policy (UpdateAssumeRolePolicy),
 * the role itself by its RoleId (DeleteRole: a role made again under the name is another role).
 * Attaching, detaching and tagging change one entry of a set, whatever the rest: not bound.
 */
export const iamHooks: Record<string, PreviewHook> = {
  PutRolePolicy: {
    reads: ['iam:GetRolePolicy'],
    rechecks: true,
    look: (params, context) => withIam(context, (sdk, iam) => lookAtInlinePolicy(sdk, iam, params.input, 'put')),
  },
  DeleteRolePolicy: {
    reads: ['iam:GetRolePolicy'],
    rechecks: true,
    look: (params, context) => withIam(context, (sdk, iam) => lookAtInlinePolicy(sdk, iam, params.input, 'delete')),
  },
  AttachRolePolicy: roleHook('AttachRolePolicy', ['iam:GetRole', 'iam:ListAttachedRolePolicies'], false),
  DetachRolePolicy: roleHook('DetachRolePolicy', ['iam:GetRole', 'iam:ListAttachedRolePolicies'], false),
  DeleteRole: roleHook('DeleteRole', ['iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'], true),
  TagRole: roleHook('TagRole', ['iam:GetRole'], false),
  UpdateAssumeRolePolicy: roleHook('UpdateAssumeRolePolicy', ['iam:GetRole'], true),
};
