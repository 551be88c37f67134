import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3Sdk } from '../s3-sdk';
import { errorName, httpStatus } from '../aws-error';
import type { OperationContext } from '../types';

/**
 * Builds S3 clients in the context's region, on whichever credentials it is given; Temporal owns
 * retries, so the SDK makes one attempt. The SDK is loaded before the builder is returned, so each
 * build is synchronous: a client lease rebuilds its client on renewed credentials (credential-lease.ts).
 */
export async function s3ClientBuilder(
  context: Pick<OperationContext, 'region' | 'endpoint'>,
): Promise<(credentials: OperationContext['credentials']) => S3Client> {
  const { S3Client: Client } = await loadS3Sdk();
  return (credentials) =>
    new Client({
      region: context.region,
      credentials,
      maxAttempts: 1,
      ...(context.endpoint ? { endpoint: context.endpoint, forcePathStyle: true } : {}),
    });
}

/** An S3 client on the one-shot credentials; Temporal owns retries, so the SDK makes one attempt. */
export async function s3Client(context: Pick<OperationContext, 'region' | 'credentials' | 'endpoint'>): Promise<S3Client> {
  return (await s3ClientBuilder(context))(context.credentials);
}

/** The part of S3Client the S3 operations use; tests stand in for S3 with it. */
export type S3Sender = Pick<S3Client, 'send'>;

/** S3's answer to a failed condition: 412 PreconditionFailed. */
export function isPreconditionFailed(err: unknown): boolean {
  return httpStatus(err) === 412 || errorName(err) === 'PreconditionFailed';
}
