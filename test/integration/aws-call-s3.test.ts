import { createHash, randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetBucketPolicyCommand, HeadObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { timeBoundPolicy } from '../../operations/session-time';
import type { IamStatement } from '../../operations/types';
import { refusedBeforeAnyCredential, startAwsCallHarness, type AwsCallHarness } from '../support/aws-call-harness';
import { failureOf } from '../support/failures';
import { objectExists, readObject } from '../support/test-aws';

// aws.call S3 through the preview and execute activities, STS and moto: the object hook
// (DeleteObject) and the bucket policy hook (PutBucketPolicy, DeleteBucketPolicy) of
// operations/aws-call/hooks/s3.ts, the derived policies, the refusal of an input that names no
// key, and the binding to the object's ETag and to the bucket policy as previewed.

let aws: AwsCallHarness;
let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  aws = await startAwsCallHarness();
  s3 = new S3Client({ ...aws.moto, forcePathStyle: true });
  bucket = `aws-call-s3-${randomUUID().slice(0, 8)}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  s3?.destroy();
  await aws?.stop();
});

const BODY = 'region,revenue\neu-west,1204500\n';

async function putObject(key: string, body: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/csv' }));
}

function newKey(): string {
  return `reports/${randomUUID().slice(0, 8)} q3.csv`;
}

async function bucketPolicy(): Promise<unknown> {
  try {
    return JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '');
  } catch (err) {
    if ((err as Error).name === 'NoSuchBucketPolicy') return null;
    throw err;
  }
}

const accountRead = {
  Sid: 'AccountRead',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:root' },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::BUCKET/*`,
};

/** A policy of these statements on the test bucket (BUCKET in a resource stands for it). */
function policyOf(...statements: object[]): { Version: string; Statement: object[] } {
  return { Version: '2012-10-17', Statement: JSON.parse(JSON.stringify(statements).replaceAll('BUCKET', bucket)) as object[] };
}

it("moto's account is the one the expected ARNs spell out", () => {
  expect(aws.account).toBe('123456789012');
});

describe('DeleteObject', () => {
  it('previews the object (HeadObject), deletes exactly it under the derived policy', async () => {
    const key = newKey();
    await putObject(key, BODY);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));

    const { input, preview } = await aws.previewed(aws.params('s3', 'DeleteObject', { Bucket: bucket, Key: key }));
    const etag = `"${createHash('md5').update(BODY).digest('hex')}"`;
    expect(preview.facts).toMatchObject({
      iamAction: 's3:DeleteObject',
      objectExists: true,
      objectBytes: BODY.length,
      objectETag: etag,
      contentType: 'text/csv',
      lastModified: head.LastModified?.toISOString(),
    });
    expect(preview.notes).toContain(`deletes s3://${bucket}/${key} (${BODY.length} bytes, ETag ${etag}, last modified ${head.LastModified?.toISOString()})`);
    expect(input.preconditions).toEqual({ targetSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    await aws.execute(input);
    expect(await objectExists(s3, bucket, key)).toBe(false);

    const objectArn = `arn:aws:s3:::${bucket}/${key}`;
    const read: IamStatement = { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [objectArn] };
    const previewSession = aws.sessionPolicy(input.actionId, 'preview');
    expect(previewSession.policy).toEqual(timeBoundPolicy({ Version: '2012-10-17', Statement: [read] }, previewSession.bound));
    const executeSession = aws.sessionPolicy(input.actionId, 'execute');
    expect(executeSession.policy).toEqual(
      timeBoundPolicy(
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: [objectArn] }, read] },
        executeSession.bound,
      ),
    );
  });

  it('refuses a DeleteObject that names no key: at resolve, and in the preview before any AssumeRole', async () => {
    const params = aws.params('s3', 'DeleteObject', { Bucket: bucket });
    expect(await refusedBeforeAnyCredential(aws, params)).toMatch(
      /params\.input: no least-privilege session policy: s3:DeleteObject names none of its resources in the input/,
    );
  });

  it('an object replaced after the preview fails the execution precondition_failed, and it is not deleted', async () => {
    const key = newKey();
    await putObject(key, BODY);
    const { input } = await aws.previewed(aws.params('s3', 'DeleteObject', { Bucket: bucket, Key: key }));
    await putObject(key, `${BODY}us-east,2311900\n`);

    const failure = await failureOf(aws.execute(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(await readObject(s3, bucket, key)).toBe(`${BODY}us-east,2311900\n`);
  });

  it('an object absent at the preview that appears before the execution is not deleted', async () => {
    const key = newKey();
    const { input, preview } = await aws.previewed(aws.params('s3', 'DeleteObject', { Bucket: bucket, Key: key }));
    expect(preview.facts).toMatchObject({ objectExists: false, objectBytes: null, objectETag: null });
    expect(preview.notes).toContain(`no object at s3://${bucket}/${key} (or no such bucket): the delete changes nothing`);
    await putObject(key, BODY);

    expect((await failureOf(aws.execute(input))).type).toBe('precondition_failed');
    expect(await readObject(s3, bucket, key)).toBe(BODY);
  });
});

describe('PutBucketPolicy and DeleteBucketPolicy', () => {
  const publicRead = { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::BUCKET/public/*' };
  const denyInsecure = {
    Sid: 'DenyInsecure',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: 'arn:aws:s3:::BUCKET/*',
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };

  it('previews the diff against the current policy, replaces it under the derived policy', async () => {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policyOf(accountRead, denyInsecure)) }));
    const proposed = policyOf(accountRead, publicRead);

    const { input, preview } = await aws.previewed(aws.params('s3', 'PutBucketPolicy', { Bucket: bucket, Policy: JSON.stringify(proposed) }));
    expect(preview.facts).toMatchObject({
      accessLevel: 'Permissions management',
      bucketExists: true,
      policyExists: true,
      currentStatements: 2,
      statements: 2,
      addedStatements: 1,
      removedStatements: 1,
      unchangedStatements: 1,
      grantsPublicAccess: true,
      currentlyGrantsPublicAccess: false,
      currentPolicySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(preview.notes).toContain(`replaces the bucket policy of s3://${bucket} (2 statements) with 2 statements`);
    expect(preview.notes).toContain(`adds statement "PublicRead": Allow s3:GetObject on arn:aws:s3:::${bucket}/public/* for everyone (*)`);
    expect(preview.warnings).toEqual([
      expect.stringMatching(/^removes a Deny \(statement "DenyInsecure": Deny s3:\* .*\): what it denied may then be allowed$/),
      `makes s3://${bucket} public: statement "PublicRead" allow everyone with no condition that limits who`,
    ]);

    await aws.execute(input);
    expect(await bucketPolicy()).toEqual(proposed);

    const bucketArn = `arn:aws:s3:::${bucket}`;
    const read: IamStatement = { Effect: 'Allow', Action: ['s3:GetBucketPolicy'], Resource: [bucketArn] };
    const previewSession = aws.sessionPolicy(input.actionId, 'preview');
    expect(previewSession.policy).toEqual(timeBoundPolicy({ Version: '2012-10-17', Statement: [read] }, previewSession.bound));
    const executeSession = aws.sessionPolicy(input.actionId, 'execute');
    expect(executeSession.policy).toEqual(
      timeBoundPolicy(
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutBucketPolicy'], Resource: [bucketArn] }, read] },
        executeSession.bound,
      ),
    );
  });

  it('a bucket policy changed after the preview fails the execution precondition_failed, and the change stays', async () => {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policyOf(accountRead)) }));
    const { input } = await aws.previewed(aws.params('s3', 'PutBucketPolicy', { Bucket: bucket, Policy: JSON.stringify(policyOf(publicRead)) }));
    const meanwhile = policyOf(accountRead, denyInsecure);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(meanwhile) }));

    const failure = await failureOf(aws.execute(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(await bucketPolicy()).toEqual(meanwhile);
  });

  it('DeleteBucketPolicy: previews what goes, deletes it', async () => {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policyOf(accountRead, publicRead)) }));

    const { input, preview } = await aws.previewed(aws.params('s3', 'DeleteBucketPolicy', { Bucket: bucket }));
    expect(preview.facts).toMatchObject({
      policyExists: true,
      currentStatements: 2,
      statements: 0,
      removedStatements: 2,
      addedStatements: 0,
      grantsPublicAccess: false,
      currentlyGrantsPublicAccess: true,
    });
    expect(preview.notes).toContain(`deletes the bucket policy of s3://${bucket} (2 statements): everything it allowed and denied goes with it`);
    expect(preview.notes).toContain(`s3://${bucket} is public under the current policy and would no longer be`);

    await aws.execute(input);
    expect(await bucketPolicy()).toBeNull();
    expect(aws.sessionPolicy(input.actionId, 'execute').policy.Statement.map((statement) => statement.Action)).toEqual([
      ['s3:DeleteBucketPolicy'],
      ['s3:GetBucketPolicy'],
    ]);
  });
});
