import { z } from 'zod';

/*
 * The S3 names operations accept in their params. Each goes into a resource ARN of a session
 * policy, so the schemas refuse whatever would make that ARN name more than it says.
 */

const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** A general purpose S3 bucket name, per the S3 naming rules. */
export const bucketName = z
  .string()
  .min(3, 'bucket name must be 3 to 63 characters long')
  .max(63, 'bucket name must be 3 to 63 characters long')
  .regex(
    /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
    'bucket name may contain only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit',
  )
  .refine((name) => !name.includes('..'), 'bucket name must not contain two adjacent dots')
  .refine((name) => !/^\d{1,3}(\.\d{1,3}){3}$/.test(name), 'bucket name must not be formatted as an IP address')
  .refine((name) => !RESERVED_BUCKET_PREFIXES.some((p) => name.startsWith(p)), `bucket name must not start with ${RESERVED_BUCKET_PREFIXES.join(', ')}`)
  .refine((name) => !RESERVED_BUCKET_SUFFIXES.some((s) => name.endsWith(s)), `bucket name must not end with ${RESERVED_BUCKET_SUFFIXES.join(', ')}`);

/**
 * One S3 object key, taken literally. The key goes into a resource ARN of the session policy,
 * where `*` and `?` are wildcards and `${…}` is a policy variable: any of them would grant more
 * than the one named object, so they are refused rather than escaped (IAM has no escape for them).
 */
export const objectKey = z
  .string()
  .min(1, 'object key must not be empty')
  .refine((key) => Buffer.byteLength(key, 'utf8') <= 1024, 'object key must be at most 1024 bytes in UTF-8')
  .refine((key) => !/[\uD800-\uDFFF]/u.test(key), 'object key must be valid Unicode (it contains a lone surrogate)')
  .refine((key) => !key.includes('*'), 'object key must not contain "*": it is a wildcard in an IAM resource ARN')
  .refine((key) => !key.includes('?'), 'object key must not contain "?": it is a wildcard in an IAM resource ARN')
  .refine((key) => !key.includes('${'), 'object key must not contain "${": it starts an IAM policy variable')
  // Control characters are legal in S3 keys but make summaries, approval messages and audit lines ambiguous.
  .refine((key) => !/[\u0000-\u001f\u007f]/.test(key), 'object key must not contain control characters');
