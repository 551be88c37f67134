import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3Sdk } from '../s3-sdk';
import type { OperationContext } from '../types';
import { loadDynamoDbSdk } from './sdk';

type ClientContext = Pick<OperationContext, 'credentials' | 'endpoint'>;

/**
 * A DynamoDB client on the one-shot credentials, in the table's region (a param: the table's ARN
 * names it). Temporal owns retries, so the SDK makes one attempt.
 */
export async function dynamoDbClient(context: ClientContext, region: string): Promise<DynamoDBClient> {
  const { DynamoDBClient: Client } = await loadDynamoDbSdk();
  return new Client({
    region,
    credentials: context.credentials,
    maxAttempts: 1,
    ...(context.endpoint ? { endpoint: context.endpoint } : {}),
  });
}

/**
 * An S3 client on the one-shot credentials, for the preview's look at the destination. It starts
 * in the table's region; an export may write to a bucket in another region, and S3 answers a
 * request in the wrong region with a redirect naming the right one, which the client follows
 * (the same ListObjectsV2, so the same permission).
 */
export async function s3Client(context: ClientContext, region: string): Promise<S3Client> {
  const { S3Client: Client } = await loadS3Sdk();
  return new Client({
    region,
    credentials: context.credentials,
    maxAttempts: 1,
    followRegionRedirects: true,
    ...(context.endpoint ? { endpoint: context.endpoint, forcePathStyle: true } : {}),
  });
}

/** The part of DynamoDBClient the DynamoDB operations use; tests stand in for DynamoDB with it. */
export type DynamoDbSender = Pick<DynamoDBClient, 'send'>;

/** The part of S3Client the DynamoDB operations use; tests stand in for S3 with it. */
export type S3Sender = Pick<S3Client, 'send'>;
