import { createHash, randomUUID } from 'node:crypto';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createExecuteActivities } from '../../activities/execute';
import { createPreviewActivities } from '../../activities/preview';
import type { ExecutionResult, JsonObject } from '../../domain/types';
import { Catalogue } from '../../operations/catalogue';
import {
  lambdaUpdateFunctionCode,
  updateFunctionCodeParams,
  UnreviewedCodeError,
  type UpdateFunctionCodeParams,
} from '../../operations/lambda/update-function-code';
import { PreconditionFailedError } from '../../operations/preconditions';
import type { Operation, OperationContext } from '../../operations/types';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { memoryAuditLog } from '../support/audit';
import { failureOf, rejectionOf } from '../support/failures';
import { boundTo, directContext } from '../support/operation-context';
import { requiredEnv, testAwsSettings, testS3, TEST_REGION } from '../support/test-aws';

// lambda.updateFunctionCode against the shared moto server, called directly with moto's base
// credentials, and once through the activities (STS on moto, as a worker runs it). Each test makes
// its own function; the packages are a few bytes (moto needs docker only to invoke a function).
//
// moto 5 reports no RevisionId for a function and ignores one sent to UpdateFunctionCode, and it
// deploys an object's current version whatever S3ObjectVersion says: the swap tests here rely on
// the execution's own re-read (CodeSha256) and ETag check; the RevisionId path is unit-tested.

let lambda: LambdaClient;
let s3: S3Client;
let context: OperationContext;
let account: string;
let bucket: string;
const roleArn = (): string => requiredEnv('AIRLOCK_TEST_ROLE_ARN');

beforeAll(async () => {
  const endpoint = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
  const common = { region: TEST_REGION, endpoint, credentials: MOTO_BASE_CREDENTIALS };
  lambda = new LambdaClient(common);
  s3 = testS3();
  const sts = new STSClient(common);
  try {
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  } finally {
    sts.destroy();
  }
  bucket = unique('airlock-lambda-it');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  context = directContext(endpoint, 'action-lambda-it');
});

afterAll(() => {
  lambda?.destroy();
  s3?.destroy();
});

function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Lambda's CodeSha256 of a package: SHA-256 in base64. */
function sha(body: string): string {
  return createHash('sha256').update(body).digest('base64');
}

/** A new function running `body` as its package. */
async function createFunction(body: string): Promise<string> {
  const name = unique('airlock-fn');
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'python3.12',
      Handler: 'app.handler',
      Role: roleArn(),
      Code: { ZipFile: Buffer.from(body) },
    }),
  );
  return name;
}

async function putCode(key: string, body: string, into = bucket): Promise<string> {
  return (await s3.send(new PutObjectCommand({ Bucket: into, Key: key, Body: body }))).ETag ?? '';
}

async function codeSha(name: string): Promise<string | undefined> {
  return (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).CodeSha256;
}

function paramsFor(functionName: string, s3Key: string, extra: Partial<UpdateFunctionCodeParams> = {}): UpdateFunctionCodeParams {
  return updateFunctionCodeParams.parse({ functionName, accountId: account, region: TEST_REGION, s3Bucket: bucket, s3Key, ...extra });
}

describe('lambda.updateFunctionCode on moto', () => {
  test('preview: the function as it is and the new code, bound to both', async () => {
    const name = await createFunction('PK v1');
    const eTag = await putCode(`${name}/v2.zip`, 'PK v2 package');
    const preview = await lambdaUpdateFunctionCode.preview(paramsFor(name, `${name}/v2.zip`), context);
    expect(preview.facts).toEqual({
      functionExists: true,
      functionArn: `arn:aws:lambda:${TEST_REGION}:${account}:function:${name}`,
      runtime: 'python3.12',
      handler: 'app.handler',
      packageType: 'Zip',
      state: 'Active',
      lastUpdateStatus: 'Successful',
      currentCodeSha256: sha('PK v1'),
      currentCodeSize: 5,
      lastModified: expect.any(String),
      codeObjectExists: true,
      newCodeBytes: 13,
      newCodeETag: eTag,
      newCodeLastModified: expect.any(String),
      newCodeSha256: sha('PK v2 package'),
      sameCode: false,
      publish: false,
    });
    expect(preview.warnings).toEqual([]);
    // moto reports no RevisionId: the function is bound by its code alone here.
    expect(preview.preconditions).toEqual({ function: { revisionId: null, codeSha256: sha('PK v1') }, code: { eTag, sha256: sha('PK v2 package') } });
  });

  test('preview: a missing function and a missing object', async () => {
    const preview = await lambdaUpdateFunctionCode.preview(paramsFor(unique('airlock-none'), 'none/v2.zip'), context);
    expect(preview.facts).toEqual({ functionExists: false, codeObjectExists: false, publish: false });
    expect(preview.warnings).toHaveLength(2);
    expect(preview.warnings[0]).toMatch(/^lambda function airlock-none-\w+ \(\d{12}, us-east-1\) does not exist: the update would fail$/);
    expect(preview.warnings[1]).toBe(`s3://${bucket}/none/v2.zip does not exist: the update would fail`);
    expect(preview.preconditions).toEqual({ function: null, code: null });
  });

  test('execute: the function runs the new code, and findApplied then finds it', async () => {
    const name = await createFunction('PK v1');
    await putCode(`${name}/v2.zip`, 'PK v2 package');
    const params = paramsFor(name, `${name}/v2.zip`);
    const preview = await lambdaUpdateFunctionCode.preview(params, context);
    const bound = boundTo(lambdaUpdateFunctionCode, context, preview);
    expect(await lambdaUpdateFunctionCode.findApplied?.(params, bound)).toBeUndefined(); // not yet

    const outcome = await lambdaUpdateFunctionCode.execute(params, bound);
    expect(outcome).toEqual({
      summary: `update the code of lambda function ${name} (${account}, us-east-1) from s3://${bucket}/${name}/v2.zip`,
      outputs: {
        functionArn: `arn:aws:lambda:${TEST_REGION}:${account}:function:${name}`,
        code: `s3://${bucket}/${name}/v2.zip`,
        codeSha256: sha('PK v2 package'),
        codeSize: 13,
      },
    });
    expect(await codeSha(name)).toBe(sha('PK v2 package'));

    // A retry after this attempt's reply was lost: in place, so not run again (where the re-read would refuse it).
    expect(await lambdaUpdateFunctionCode.findApplied?.(params, bound)).toEqual(outcome);
    await expect(lambdaUpdateFunctionCode.execute(params, bound)).rejects.toBeInstanceOf(PreconditionFailedError);
    // Someone else's deploy afterwards is not this update.
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: Buffer.from('PK v3') }));
    expect(await lambdaUpdateFunctionCode.findApplied?.(params, bound)).toBeUndefined();
  });

  test('execute with publish: a version is published', async () => {
    const name = await createFunction('PK v1');
    await putCode(`${name}/v2.zip`, 'PK v2 package');
    const params = paramsFor(name, `${name}/v2.zip`, { publish: true });
    const outcome = await lambdaUpdateFunctionCode.execute(
      params,
      boundTo(lambdaUpdateFunctionCode, context, await lambdaUpdateFunctionCode.preview(params, context)),
    );
    expect(outcome.outputs).toMatchObject({ codeSha256: sha('PK v2 package'), version: '1' });
  });

  test('swap: the function updated after the preview fails precondition_failed, and keeps the other code', async () => {
    const name = await createFunction('PK v1');
    await putCode(`${name}/v2.zip`, 'PK v2 package');
    const params = paramsFor(name, `${name}/v2.zip`);
    const preview = await lambdaUpdateFunctionCode.preview(params, context);
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: Buffer.from('PK hotfix') }));

    const error = await rejectionOf(lambdaUpdateFunctionCode.execute(params, boundTo(lambdaUpdateFunctionCode, context, preview)), PreconditionFailedError);
    expect(error.code).toBe('precondition_failed');
    expect(error.message).toBe(
      `lambda function ${name} (${account}, us-east-1) changed after the preview: the preview read code ${sha('PK v1')}, it is now code ${sha('PK hotfix')}; nothing was changed`,
    );
    expect(await codeSha(name)).toBe(sha('PK hotfix'));
  });

  test('swap: the code object replaced after the preview fails precondition_failed, and the function keeps its code', async () => {
    const name = await createFunction('PK v1');
    const reviewedETag = await putCode(`${name}/v2.zip`, 'PK v2 package');
    const params = paramsFor(name, `${name}/v2.zip`);
    const preview = await lambdaUpdateFunctionCode.preview(params, context);
    const swappedETag = await putCode(`${name}/v2.zip`, 'PK v2 with a backdoor');

    const error = await rejectionOf(lambdaUpdateFunctionCode.execute(params, boundTo(lambdaUpdateFunctionCode, context, preview)), PreconditionFailedError);
    expect(error.message).toContain(`changed after the preview: the preview read ETag ${reviewedETag}, it now has ETag ${swappedETag}`);
    expect(await codeSha(name)).toBe(sha('PK v1'));
  });

  test('a version pinned: the preview reads that version; moto deploys the current one, and the post-check refuses it', async () => {
    const versionedBucket = unique('airlock-lambda-ver');
    await s3.send(new CreateBucketCommand({ Bucket: versionedBucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: versionedBucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const first = await s3.send(new PutObjectCommand({ Bucket: versionedBucket, Key: 'fn.zip', Body: 'PK pinned' }));
    await s3.send(new PutObjectCommand({ Bucket: versionedBucket, Key: 'fn.zip', Body: 'PK newer' }));
    const name = await createFunction('PK v1');
    const params = paramsFor(name, 'fn.zip', { s3Bucket: versionedBucket, s3ObjectVersion: first.VersionId ?? '' });

    const preview = await lambdaUpdateFunctionCode.preview(params, context);
    expect(preview.facts).toMatchObject({ newCodeVersionId: first.VersionId, newCodeSha256: sha('PK pinned'), newCodeBytes: 9 });
    // Real Lambda deploys the version named; moto takes the current one: the bytes Lambda took are not the reviewed.
    const error = await rejectionOf(lambdaUpdateFunctionCode.execute(params, boundTo(lambdaUpdateFunctionCode, context, preview)), UnreviewedCodeError);
    expect(error.message).toContain(`now runs code with SHA-256 ${sha('PK newer')}, not the reviewed ${sha('PK pinned')}`);
  });
});

describe('lambda.updateFunctionCode through the activities', () => {
  let activities: ReturnType<typeof createExecuteActivities> & ReturnType<typeof createPreviewActivities>;
  let counter = 0;

  beforeAll(() => {
    // Registered here until the default catalogue lists it.
    const catalogue = new Catalogue([lambdaUpdateFunctionCode as unknown as Operation<unknown>]);
    const deps = { catalogue, aws: testAwsSettings(requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT')), audit: memoryAuditLog() };
    activities = { ...createExecuteActivities(deps), ...createPreviewActivities(deps) };
  });

  function request(params: UpdateFunctionCodeParams) {
    counter += 1;
    return {
      actionId: `action-lambda-update-${String(counter).padStart(8, '0')}`,
      action: 'lambda.updateFunctionCode',
      params: params as unknown as JsonObject,
      requester: { id: 'ci-bot', source: 'api' },
      approvers: ['alice'],
    };
  }

  test('a swap fails as precondition_failed, not retried; an update then retried is found applied', async () => {
    const name = await createFunction('PK v1');
    await putCode(`${name}/v2.zip`, 'PK v2 package');
    const params = paramsFor(name, `${name}/v2.zip`);

    const swapped = request(params);
    const swappedPreview = await activities.previewOperation(swapped);
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: Buffer.from('PK hotfix') }));
    const failure = await failureOf(activities.executeOperation({ ...swapped, preconditions: swappedPreview.preconditions ?? {} }));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(await codeSha(name)).toBe(sha('PK hotfix'));

    const input = request(params);
    const preview = await activities.previewOperation(input);
    const executed = { ...input, preconditions: preview.preconditions ?? {} };
    const first = await activities.executeOperation(executed); // the change went through; say its reply was lost
    expect(first.outputs.codeSha256).toBe(sha('PK v2 package'));
    const retried: ExecutionResult = await new MockActivityEnvironment({ activityId: 'execute', attempt: 2 }).run(activities.executeOperation, executed);
    expect(retried.outputs).toMatchObject({ alreadyApplied: true, codeSha256: sha('PK v2 package') });
    expect(retried.session?.roleSessionName).toBe(`${input.actionId}.recheck`);
  });
});
