import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3Sdk } from '../s3-sdk';
import { errorName } from '../aws-error';
import type { OperationContext } from '../types';
import { loadLambdaSdk } from './sdk';

/*
 * The clients the Lambda operations use, on the one-shot credentials and in the function's region
 * (a param: Lambda reads code only from a bucket in the function's region, so the code object is
 * read there too). Temporal owns retries, so each SDK client makes one attempt.
 */

type ClientContext = Pick<OperationContext, 'credentials' | 'endpoint'>;

/** A Lambda client in `region`. */
export async function lambdaClient(context: ClientContext, region: string): Promise<LambdaClient> {
  const { LambdaClient: Client } = await loadLambdaSdk();
  return new Client({
    region,
    credentials: context.credentials,
    maxAttempts: 1,
    ...(context.endpoint ? { endpoint: context.endpoint } : {}),
  });
}

/** An S3 client in `region`, for the object that holds a function's new code. */
export async function codeObjectClient(context: ClientContext, region: string): Promise<S3Client> {
  const { S3Client: Client } = await loadS3Sdk();
  return new Client({
    region,
    credentials: context.credentials,
    maxAttempts: 1,
    ...(context.endpoint ? { endpoint: context.endpoint, forcePathStyle: true } : {}),
  });
}

/** The part of LambdaClient the operations use; tests stand in for Lambda with it. */
export type LambdaSender = Pick<LambdaClient, 'send'>;

/** The part of S3Client the operations use; tests stand in for S3 with it. */
export type CodeObjectSender = Pick<S3Client, 'send'>;

/** Lambda's answer for a function (or version) that does not exist. */
export function isFunctionMissing(err: unknown): boolean {
  return errorName(err) === 'ResourceNotFoundException';
}

/** Lambda's answer to a `RevisionId` that is no longer the function's: it changed since it was read. */
export function isRevisionMismatch(err: unknown): boolean {
  return errorName(err) === 'PreconditionFailedException';
}
