import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsSettings } from '../../activities/aws-settings';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';

export const TEST_ROLE_NAME = 'airlock-test-executor';
export const TEST_REGION = 'us-east-1';
/** Buckets the global setup creates; test policy rules refer to these names. */
export const TEST_BUCKETS = ['airlock-src', 'airlock-exports', 'airlock-scratch', 'airlock-elsewhere'] as const;

/** A direct S3 client on moto (not through the proxy), to arrange and check test data. */
export function testS3(): S3Client {
  return new S3Client({
    region: TEST_REGION,
    endpoint: requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT'),
    forcePathStyle: true,
    credentials: MOTO_BASE_CREDENTIALS,
  });
}

export async function putObject(s3: S3Client, bucket: string, key: string, body: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function readObject(s3: S3Client, bucket: string, key: string): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await response.Body?.transformToString('utf8')) ?? '';
}

export async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

/** The worker's AWS settings in tests: the shared moto (or a proxy in front of it) and the seeded role. */
export function testAwsSettings(endpoint: string): AwsSettings {
  return {
    region: TEST_REGION,
    partition: 'aws',
    endpoint,
    executorRoleArn: requiredEnv('AIRLOCK_TEST_ROLE_ARN'),
    baseCredentials: MOTO_BASE_CREDENTIALS,
  };
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: integration tests need the jest global setup`);
  return value;
}
