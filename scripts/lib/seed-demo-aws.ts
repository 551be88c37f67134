import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MOTO_BASE_CREDENTIALS } from './moto-server';

/** What to create on a local AWS-compatible endpoint (moto): the executor role, buckets, objects. */
export interface SeedSpec {
  roleName: string;
  buckets: string[];
  objects: { bucket: string; key: string; body: string }[];
  /** Defaults to us-east-1. */
  region?: string;
}

/** Name of the inline permissions policy put on the executor role. */
export const EXECUTOR_POLICY_NAME = 'airlock-executor-s3';

export const DEMO_ROLE_NAME = 'airlock-executor';
export const DEMO_BUCKETS = ['airlock-source', 'airlock-exports', 'airlock-scratch'];
export const DEMO_OBJECT = {
  bucket: 'airlock-source',
  key: 'reports/2026-q3.csv',
  body: 'region,revenue,orders\neu-west,1204500,8312\nus-east,2311900,15120\nap-south,640250,5071\n',
};

/**
 * Trust policy of the executor role: the worker's account may assume it, and must be allowed to
 * tag the session and set the source identity, or AssumeRole with Tags/SourceIdentity is denied.
 */
export function executorTrustPolicy(trustedPrincipalArn: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: trustedPrincipalArn },
        Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
      },
    ],
  };
}

/** The role's own permissions: the ceiling that each session policy narrows to one object. */
export function executorPermissionsPolicy(partition: string, buckets: readonly string[]) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: buckets.map((bucket) => `arn:${partition}:s3:::${bucket}/*`),
      },
    ],
  };
}

/**
 * Creates (idempotently) the executor role, the buckets and the objects on `endpoint` with moto's
 * base credentials. Returns the role ARN for the worker's `executorRoleArn`.
 */
export async function seedAws(endpoint: string, spec: SeedSpec): Promise<{ roleArn: string }> {
  const region = spec.region ?? 'us-east-1';
  const common = { region, endpoint, credentials: MOTO_BASE_CREDENTIALS };
  const sts = new STSClient(common);
  const iam = new IAMClient(common);
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const partition = identity.Arn?.split(':')[1] ?? 'aws';
    const accountRoot = `arn:${partition}:iam::${identity.Account}:root`;

    const roleArn = await ensureRole(iam, spec.roleName, executorTrustPolicy(accountRoot));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: spec.roleName,
        PolicyName: EXECUTOR_POLICY_NAME,
        PolicyDocument: JSON.stringify(executorPermissionsPolicy(partition, spec.buckets)),
      }),
    );
    for (const bucket of spec.buckets) await ensureBucket(s3, bucket, region);
    for (const object of spec.objects) {
      await s3.send(new PutObjectCommand({ Bucket: object.bucket, Key: object.key, Body: object.body }));
    }
    return { roleArn };
  } finally {
    sts.destroy();
    iam.destroy();
    s3.destroy();
  }
}

/** The demo data `npm start` puts in its moto server; returns the executor role ARN. */
export async function seedDemoAws(endpoint: string): Promise<string> {
  const { roleArn } = await seedAws(endpoint, { roleName: DEMO_ROLE_NAME, buckets: DEMO_BUCKETS, objects: [DEMO_OBJECT] });
  return roleArn;
}

async function ensureRole(iam: IAMClient, roleName: string, trustPolicy: object): Promise<string> {
  try {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify(trustPolicy),
        MaxSessionDuration: 3600,
        Description: 'Airlock executor: assumed once per approved action with a session policy for that action',
      }),
    );
    if (created.Role?.Arn) return created.Role.Arn;
  } catch (err) {
    if ((err as Error).name !== 'EntityAlreadyExists') throw err;
  }
  const existing = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  if (!existing.Role?.Arn) throw new Error(`role ${roleName} has no ARN`);
  return existing.Role.Arn;
}

async function ensureBucket(s3: S3Client, bucket: string, region: string): Promise<void> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
  } catch (err) {
    if ((err as Error).name !== 'BucketAlreadyOwnedByYou') throw err;
  }
}
