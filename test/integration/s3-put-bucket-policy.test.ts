import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { PreconditionFailedError, jsonDigest } from '../../operations/preconditions';
import { putBucketPolicyParams, s3PutBucketPolicy, type PutBucketPolicyParams } from '../../operations/s3/put-bucket-policy';
import type { OperationContext } from '../../operations/types';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { boundTo, directContext } from '../support/operation-context';
import { requiredEnv, TEST_REGION } from '../support/test-aws';

// s3.putBucketPolicy against the shared moto server, called directly with moto's base credentials
// (the one-shot STS session around it is the activities' job, tested there). Each test makes its
// own bucket, so tests stay independent.

let s3: S3Client;
let context: OperationContext;

beforeAll(() => {
  const endpoint = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
  s3 = new S3Client({ region: TEST_REGION, endpoint, forcePathStyle: true, credentials: MOTO_BASE_CREDENTIALS });
  context = directContext(endpoint, 'action-s3-bucket-policy-it');
});

afterAll(() => {
  s3?.destroy();
});

async function createBucket(): Promise<string> {
  const bucket = `airlock-policy-it-${randomUUID().slice(0, 8)}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** The bucket's policy as S3 returns it, parsed; undefined when it has none. */
async function storedPolicy(bucket: string): Promise<unknown> {
  try {
    return JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '');
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchBucketPolicy') return undefined;
    throw err;
  }
}

function statements(bucket: string) {
  const arn = `arn:aws:s3:::${bucket}`;
  return {
    partnerRead: {
      Sid: 'PartnerRead',
      Effect: 'Allow' as const,
      Principal: { AWS: 'arn:aws:iam::444455556666:role/partner-reader' },
      Action: ['s3:GetObject'],
      Resource: [`${arn}/partner/*`],
    },
    denyInsecure: {
      Sid: 'DenyInsecure',
      Effect: 'Deny' as const,
      Principal: '*' as const,
      Action: 's3:*',
      Resource: [arn, `${arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    publicRead: { Sid: 'PublicRead', Effect: 'Allow' as const, Principal: '*' as const, Action: 's3:GetObject', Resource: `${arn}/public/*` },
  };
}

function request(bucket: string, statementList: unknown[]): PutBucketPolicyParams {
  return putBucketPolicyParams.parse({ bucket, policy: { Version: '2012-10-17', Statement: statementList } });
}

describe('s3.putBucketPolicy on moto', () => {
  test('a bucket with no policy: preview, put exactly the policy, then findApplied and a preview with nothing to change', async () => {
    const bucket = await createBucket();
    const { partnerRead, denyInsecure } = statements(bucket);
    const params = request(bucket, [partnerRead, denyInsecure]);

    const preview = await s3PutBucketPolicy.preview(params, context);
    expect(preview.facts).toEqual({
      bucketExists: true,
      policyExists: false,
      statements: 2,
      addedStatements: 2,
      removedStatements: 0,
      unchangedStatements: 0,
      grantsPublicAccess: false,
      currentlyGrantsPublicAccess: false,
      blockPublicPolicy: false,
      refusedByPublicAccessBlock: false,
    });
    expect(preview.notes[0]).toBe(`sets the first bucket policy of s3://${bucket}, with 2 statements`);
    expect(preview.warnings).toEqual([]);
    expect(preview.preconditions).toEqual({ currentPolicySha256: null });

    const executionContext = boundTo(s3PutBucketPolicy, context, preview);
    // Nothing in place yet: a retry would run the put.
    expect(await s3PutBucketPolicy.findApplied?.(params, executionContext)).toBeUndefined();

    const outcome = await s3PutBucketPolicy.execute(params, executionContext);
    expect(outcome).toEqual({
      summary: `replace the bucket policy of s3://${bucket} (2 statements)`,
      outputs: { bucket, statements: 2, grantsPublicAccess: false, policySha256: jsonDigest(params.policy) },
    });
    expect(await storedPolicy(bucket)).toEqual({ Version: '2012-10-17', Statement: [partnerRead, denyInsecure] });

    // A retry after this success finds it done, and does not take its own change for a changed world.
    expect(await s3PutBucketPolicy.findApplied?.(params, executionContext)).toEqual(outcome);

    const again = await s3PutBucketPolicy.preview(params, context);
    expect(again.facts).toMatchObject({ policyExists: true, addedStatements: 0, removedStatements: 0, unchangedStatements: 2 });
    expect(again.preconditions).toEqual({ currentPolicySha256: jsonDigest(params.policy) });
  });

  test('a bucket with a policy: the diff, a public warning, and a public access block that would refuse it', async () => {
    const bucket = await createBucket();
    const { partnerRead, denyInsecure, publicRead } = statements(bucket);
    const current = { Version: '2012-10-17', Statement: [partnerRead, denyInsecure] };
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(current) }));
    const params = request(bucket, [denyInsecure, publicRead]);

    const preview = await s3PutBucketPolicy.preview(params, context);
    expect(preview.facts).toEqual({
      bucketExists: true,
      policyExists: true,
      statements: 2,
      addedStatements: 1,
      removedStatements: 1,
      unchangedStatements: 1,
      grantsPublicAccess: true,
      currentlyGrantsPublicAccess: false,
      blockPublicPolicy: false,
      refusedByPublicAccessBlock: false,
    });
    expect(preview.notes).toContain(
      `removes statement "PartnerRead": Allow s3:GetObject on arn:aws:s3:::${bucket}/partner/* for AWS arn:aws:iam::444455556666:role/partner-reader`,
    );
    expect(preview.notes).toContain(`adds statement "PublicRead": Allow s3:GetObject on arn:aws:s3:::${bucket}/public/* for everyone (*)`);
    expect(preview.warnings).toEqual([`makes s3://${bucket} public: statement "PublicRead" allows everyone with no condition that limits who`]);
    expect(preview.preconditions).toEqual({ currentPolicySha256: jsonDigest(current) });

    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      }),
    );
    const blocked = await s3PutBucketPolicy.preview(params, context);
    expect(blocked.facts).toMatchObject({ grantsPublicAccess: true, blockPublicPolicy: true, refusedByPublicAccessBlock: true });
    expect(blocked.warnings).toContain(
      "the bucket's public access block has BlockPublicPolicy on: S3 will refuse this policy (AccessDenied) and nothing will change",
    );
  });

  test('a policy changed after the preview fails precondition_failed and leaves the other policy in place', async () => {
    const bucket = await createBucket();
    const { partnerRead, denyInsecure, publicRead } = statements(bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [denyInsecure] }) }));
    const params = request(bucket, [denyInsecure, partnerRead]);
    const preview = await s3PutBucketPolicy.preview(params, context);

    // Someone else replaces the policy between review and execution.
    const other = { Version: '2012-10-17', Statement: [publicRead] };
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(other) }));

    const executionContext = boundTo(s3PutBucketPolicy, context, preview);
    const failure = s3PutBucketPolicy.execute(params, executionContext);
    await expect(failure).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(failure).rejects.toMatchObject({
      code: 'precondition_failed',
      message: expect.stringMatching(new RegExp(`^the bucket policy of s3://${bucket} was replaced after the diff was computed .*; nothing was put$`)),
    });
    expect(await storedPolicy(bucket)).toEqual(other);
    // Nor does a retry take the other policy for its own change.
    expect(await s3PutBucketPolicy.findApplied?.(params, executionContext)).toBeUndefined();
  });

  test('a policy created after a preview that found none fails the same way', async () => {
    const bucket = await createBucket();
    const { partnerRead, publicRead } = statements(bucket);
    const params = request(bucket, [partnerRead]);
    const preview = await s3PutBucketPolicy.preview(params, context);
    const other = { Version: '2012-10-17', Statement: [publicRead] };
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(other) }));

    await expect(s3PutBucketPolicy.execute(params, boundTo(s3PutBucketPolicy, context, preview))).rejects.toMatchObject({
      code: 'precondition_failed',
      message: expect.stringContaining('did not exist when the diff was computed, and exists now; nothing was put'),
    });
    expect(await storedPolicy(bucket)).toEqual(other);
  });

  test('a bucket that does not exist: the preview warns, the put fails NoSuchBucket', async () => {
    const bucket = `airlock-policy-missing-${randomUUID().slice(0, 8)}`;
    const params = request(bucket, [statements(bucket).partnerRead]);
    const preview = await s3PutBucketPolicy.preview(params, context);
    expect(preview.facts).toMatchObject({ bucketExists: false, policyExists: false, blockPublicPolicy: null });
    expect(preview.warnings).toEqual([`bucket s3://${bucket} does not exist: the put would fail (NoSuchBucket)`]);
    await expect(s3PutBucketPolicy.execute(params, boundTo(s3PutBucketPolicy, context, preview))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});
