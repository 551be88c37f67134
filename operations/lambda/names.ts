import { z } from 'zod';
import { assertPartition } from '../arn';

/*
 * The Lambda names operations accept in their params. Each goes into a resource ARN of a session
 * policy, so the schemas refuse whatever would make that ARN name more than one function: `*`
 * and `?` (wildcards), `${` (a policy variable), `:` (a qualifier or a whole ARN).
 */

/**
 * A function's plain name, as Lambda limits it when it is given without an ARN: 1 to 64 letters,
 * digits, hyphens and underscores. ARNs, partial ARNs (`123456789012:function:f`) and qualified
 * names (`f:prod`) are refused: the account and region are params of their own, so the ARN of the
 * session policy is built from checked parts and names exactly the unqualified function.
 */
export const functionName = z
  .string()
  .min(1, 'function name must be 1 to 64 characters long')
  .max(64, 'function name must be 1 to 64 characters long')
  .refine((name) => !name.includes(':'), 'function name must be the plain name, not an ARN or a qualified name: give accountId and region on their own')
  .refine((name) => !name.includes('*') && !name.includes('?'), 'function name must not contain "*" or "?": they are wildcards in an IAM resource ARN')
  .refine((name) => !name.includes('${'), 'function name must not contain "${": it starts an IAM policy variable')
  .regex(/^[A-Za-z0-9_-]+$/, 'function name may contain only letters, digits, hyphens and underscores');

/** A 12-digit AWS account id: the function's account, named so the session policy is exact. */
export const accountId = z.string().regex(/^\d{12}$/, 'account id must be exactly 12 digits');

/** A region name as it appears in ARNs: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
export const regionName = z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, 'region must be an AWS region name such as us-east-1');

/**
 * An S3 object version id. It goes into API requests only, never into an ARN (object ARNs carry no
 * version), so what matters is that it is plain: S3's ids are URL-safe base64 and `null`.
 */
export const objectVersionId = z
  .string()
  .min(1, 'object version must not be empty (leave the field out instead)')
  .max(1024, 'object version must be at most 1024 characters')
  .regex(/^[A-Za-z0-9._+/=-]+$/, 'object version may contain only letters, digits and . _ + / = -');

/** `arn:<partition>:lambda:<region>:<account>:function:<name>`: exactly one function, unqualified. */
export function lambdaFunctionArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${assertPartition(partition)}:lambda:${region}:${account}:function:${name}`;
}
