import { CopyObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { s3CopySource, s3ObjectArn, s3Uri } from './arn';
import { MAX_SESSION_POLICY_CHARS, sessionPolicyText } from './types';
import type { IamPolicyDocument, Operation, OperationContext, OperationOutcome } from './types';

/** The longest partition name: the size check at the edge must hold wherever the worker runs. */
const LONGEST_PARTITION = 'aws-us-gov';

const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** A general purpose S3 bucket name, per the S3 naming rules. */
export const bucketName = z
  .string()
  .min(3, 'bucket name must be 3 to 63 characters long')
  .max(63, 'bucket name must be 3 to 63 characters long')
  .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'bucket name may contain only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit')
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

const copyObjectFields = z.strictObject({
  sourceBucket: bucketName,
  sourceKey: objectKey,
  destinationBucket: bucketName,
  destinationKey: objectKey,
});

export type CopyObjectParams = z.infer<typeof copyObjectFields>;

/** Params of `s3.copyObject`: exactly these four fields, each checked, and a policy that fits STS. */
export const copyObjectParams = copyObjectFields
  .refine((p) => p.sourceBucket !== p.destinationBucket || p.sourceKey !== p.destinationKey, {
    error: 'destination must differ from source',
    path: ['destinationKey'],
  })
  .refine((p) => sessionPolicyText(copyObjectSessionPolicy(p, LONGEST_PARTITION)).length <= MAX_SESSION_POLICY_CHARS, {
    error: `source and destination names are too long together: the session policy would exceed the ${MAX_SESSION_POLICY_CHARS}-character STS limit`,
  });

/** Read exactly the source object, write exactly the destination object; nothing else. */
export function copyObjectSessionPolicy(params: CopyObjectParams, partition: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [s3ObjectArn(partition, params.sourceBucket, params.sourceKey)] },
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: [s3ObjectArn(partition, params.destinationBucket, params.destinationKey)] },
    ],
  };
}

function summarize(params: CopyObjectParams): string {
  return `copy ${s3Uri(params.sourceBucket, params.sourceKey)} to ${s3Uri(params.destinationBucket, params.destinationKey)}`;
}

async function execute(params: CopyObjectParams, context: OperationContext): Promise<OperationOutcome> {
  const s3 = new S3Client({
    region: context.region,
    credentials: context.credentials,
    maxAttempts: 1, // Temporal owns retries
    ...(context.endpoint ? { endpoint: context.endpoint, forcePathStyle: true } : {}),
  });
  try {
    const response = await s3.send(
      new CopyObjectCommand({
        CopySource: s3CopySource(params.sourceBucket, params.sourceKey),
        Bucket: params.destinationBucket,
        Key: params.destinationKey,
        // The copy carries no tags, so neither s3:GetObjectTagging nor s3:PutObjectTagging is needed.
        TaggingDirective: 'REPLACE',
      }),
    );
    return {
      summary: summarize(params),
      outputs: {
        destination: s3Uri(params.destinationBucket, params.destinationKey),
        etag: response.CopyObjectResult?.ETag ?? '',
        ...(response.VersionId ? { versionId: response.VersionId } : {}),
      },
    };
  } finally {
    s3.destroy();
  }
}

/** `s3.copyObject`: export one object to another bucket (or key). Copying again yields the same object. */
export const s3CopyObject: Operation<CopyObjectParams> = {
  name: 's3.copyObject',
  title: 'Copy an S3 object',
  description:
    'Copies one S3 object to another bucket and key (server-side CopyObject, up to 5 GB). Metadata is copied; tags are not. ' +
    'The session may read only the source object and write only the destination object.',
  params: copyObjectParams,
  idempotent: true,
  summarize,
  sessionPolicy: copyObjectSessionPolicy,
  execute,
};
