import { S3Client } from '@aws-sdk/client-s3';
import type { OperationContext } from '../types';

/** An S3 client on the one-shot credentials; Temporal owns retries, so the SDK makes one attempt. */
export function s3Client(context: Pick<OperationContext, 'region' | 'credentials' | 'endpoint'>): S3Client {
  return new S3Client({
    region: context.region,
    credentials: context.credentials,
    maxAttempts: 1,
    ...(context.endpoint ? { endpoint: context.endpoint, forcePathStyle: true } : {}),
  });
}

/** The part of S3Client the S3 operations use; tests stand in for S3 with it. */
export type S3Sender = Pick<S3Client, 'send'>;

/** The HTTP status of an AWS SDK error, if it has one. */
export function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** S3's answer to a failed condition: 412 PreconditionFailed. */
export function isPreconditionFailed(err: unknown): boolean {
  return httpStatus(err) === 412 || (err as { name?: unknown } | null)?.name === 'PreconditionFailed';
}
