import { z } from 'zod';
import { objectKey } from '../s3-names';

/*
 * The names DynamoDB operations accept in their params. Each goes into a resource ARN of a
 * session policy, so the schemas refuse whatever would make that ARN name more than it says.
 * Bucket names and the key rules of `exportPrefix` are the S3 rules of operations/s3-names.ts.
 */

/** A DynamoDB table name: 3–255 letters, digits, `_`, `.` and `-` (no `*`, `?`, `$`, `/` or `:` can reach the ARN). */
export const tableName = z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'table name must be 3 to 255 characters: letters, digits, underscores, dots and hyphens');

/** The account that owns a resource, so its ARN names it exactly (never an account wildcard). */
export const accountId = z.string().regex(/^\d{12}$/, 'account id must be exactly 12 digits');

/** A region name as it appears in ARNs: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
export const regionName = z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, 'region must be an AWS region name such as us-east-1');

export { bucketName } from '../s3-names';

/**
 * Longest export prefix, in UTF-8 bytes. DynamoDB writes `<prefix>/AWSDynamoDB/<export id>/…`
 * (`…/manifest-summary.checksum`, `…/data/<26 characters>.json.gz`): about 70 more bytes, and
 * an S3 key holds at most 1,024.
 */
export const MAX_EXPORT_PREFIX_BYTES = 900;

/**
 * The key prefix an export writes under, taken literally: the object-key rules of
 * operations/s3-names.ts (`*` and `?` are wildcards and `${…}` a policy variable in an IAM
 * resource, so they are refused, not escaped), and no `/` at either end. The session policy
 * appends `/*` itself (`<bucket>/<prefix>/*`); DynamoDB appends `/AWSDynamoDB/…`, so a trailing
 * `/` would put the files under `<prefix>//`, outside what the policy names.
 */
export const exportPrefix = objectKey
  .refine((key) => Buffer.byteLength(key, 'utf8') <= MAX_EXPORT_PREFIX_BYTES, `export prefix must be at most ${MAX_EXPORT_PREFIX_BYTES} bytes in UTF-8`)
  .refine((key) => !key.startsWith('/') && !key.endsWith('/'), 'export prefix must not start or end with "/" (the export adds "/AWSDynamoDB/…" itself)');
