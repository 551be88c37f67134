import type { IAMClient } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { assertPartition } from '../arn';
import type { OperationContext } from '../types';
import { loadIamSdk } from './sdk';
import { errorName } from '../aws-error';

/*
 * The role every IAM operation names, and the client they share. Role names and paths end up in
 * resource ARNs of session policies, where `*` and `?` are wildcards and `${…}` a policy variable:
 * they are refused with their own messages, before the character-set rule would refuse them anyway.
 */

/** Refusals for what would widen an ARN; `what` names the field in the message. */
function noWildcards<T extends z.ZodString>(schema: T, what: string) {
  return schema
    .refine((value) => !value.includes('*'), `${what} must not contain "*": it is a wildcard in an IAM resource ARN`)
    .refine((value) => !value.includes('?'), `${what} must not contain "?": it is a wildcard in an IAM resource ARN`)
    .refine((value) => !value.includes('${'), `${what} must not contain "\${": it starts an IAM policy variable`);
}

/** A 12-digit AWS account id: the account of the role, named so the session policy is exact. */
export const accountId = z.string().regex(/^\d{12}$/, 'account id must be exactly 12 digits');

/** An IAM role name (the name only, without path or ARN). */
export const roleName = noWildcards(
  z
    .string()
    .min(1, 'role name must be 1 to 64 characters long')
    .max(64, 'role name must be 1 to 64 characters long')
    .regex(/^[\w+=,.@-]+$/, 'role name may contain only letters, digits and _+=,.@-'),
  'role name',
);

/**
 * An IAM path such as `/` or `/service-role/`: part of the role's ARN, so a role created with a
 * path is named by `rolePath` + `roleName` and an ARN without it would not match.
 */
export const iamPath = noWildcards(
  z
    .string()
    .max(512, 'path must be at most 512 characters long')
    .regex(/^\/([\u0021-\u007e]*\/)?$/, 'path must start and end with "/" and contain only printable ASCII characters')
    .refine((path) => !path.includes('//'), 'path must not contain an empty segment ("//")'),
  'path',
);

/** `arn:<partition>:iam::<account>:role<path><name>`: exactly one role. */
export function iamRoleArn(partition: string, account: string, name: string, path = '/'): string {
  return `arn:${assertPartition(partition)}:iam::${account}:role${path}${name}`;
}

/** `role ci-deployer` or `role /team/ci-deployer`, with its account: for summaries. */
export function describeRole(params: { accountId: string; roleName: string; rolePath?: string | undefined }): string {
  const path = params.rolePath && params.rolePath !== '/' ? params.rolePath : '';
  return `IAM role ${path}${params.roleName} in account ${params.accountId}`;
}

/** The IAM client an operation uses: one-shot credentials, no SDK retries (Temporal owns them). */
export async function iamClient(context: Pick<OperationContext, 'region' | 'credentials' | 'endpoint'>): Promise<IAMClient> {
  const { IAMClient: Client } = await loadIamSdk();
  return new Client({
    region: context.region,
    credentials: context.credentials,
    maxAttempts: 1,
    ...(context.endpoint ? { endpoint: context.endpoint } : {}),
  });
}

/** The part of IAMClient the previews use; tests stand in for IAM with it. */
export type IamSender = Pick<IAMClient, 'send'>;

/** IAM's NoSuchEntity. */
export function isNoSuchEntity(err: unknown): boolean {
  const name = errorName(err);
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
}
