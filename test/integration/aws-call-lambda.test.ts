import { createHash } from 'node:crypto';
import {
  CreateFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import type { IamStatement } from '../../operations/types';
import { expectSessionPolicy, refusedBeforeAnyCredential, startAwsCallHarness, unique, type AwsCallHarness } from '../support/aws-call-harness';
import { failureOf } from '../support/failures';
import { requiredEnv } from '../support/test-aws';

// aws.call on Lambda through the preview and execute activities, STS on moto. moto creates and
// updates functions without docker; invoking one needs docker, so Invoke is previewed only. moto
// reports no RevisionId and leaves LastModified as it was on a configuration update: the bound
// digest of the whole configuration is what catches a change here.

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/airlock-test-executor`;
let aws: AwsCallHarness;
let lambda: LambdaClient;

beforeAll(async () => {
  aws = await startAwsCallHarness();
  lambda = new LambdaClient(aws.moto);
});
afterAll(async () => {
  lambda?.destroy();
  await aws?.stop();
});

/** Lambda's CodeSha256 of a package: SHA-256 in base64. */
const sha = (body: string): string => createHash('sha256').update(body).digest('base64');
const functionArn = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

async function createFunction(): Promise<string> {
  const name = unique('airlock-fn');
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'python3.12',
      Handler: 'app.handler',
      Role: requiredEnv('AIRLOCK_TEST_ROLE_ARN'),
      Code: { ZipFile: Buffer.from('PK v1') },
      Environment: { Variables: { DB_PASSWORD: 'hunter2-not-for-reviewers', REGION_NAME: 'us-east-1' } },
    }),
  );
  return name;
}

async function configuration(name: string) {
  return lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
}

test('moto is the account, and the role, the literal ARNs below name', () => {
  expect(aws.account).toBe(ACCOUNT);
  expect(requiredEnv('AIRLOCK_TEST_ROLE_ARN')).toBe(ROLE_ARN);
});

test('UpdateFunctionConfiguration: old → new per setting, variable values never shown; the execution applies it', async () => {
  const name = await createFunction();
  const change = {
    FunctionName: name,
    Role: ROLE_ARN,
    Timeout: 30,
    MemorySize: 256,
    Environment: { Variables: { DB_PASSWORD: 'hunter2-not-for-reviewers', LOG_LEVEL: 'debug' } },
  };
  const params = aws.params('lambda', 'UpdateFunctionConfiguration', change);
  const { input, preview } = await aws.previewed(params);
  expect(preview.facts).toMatchObject({
    functionExists: true,
    functionArn: functionArn(name),
    runtime: 'python3.12',
    handler: 'app.handler',
    packageType: 'Zip',
    codeSha256: sha('PK v1'),
    codeSize: 5,
    memorySize: 128,
    timeout: 3,
    state: 'Active',
    lastModified: expect.any(String),
    environmentVariables: 2,
    // The role is named but unchanged.
    changedSettings: 'Timeout,MemorySize,Environment',
    iamAction: 'lambda:UpdateFunctionConfiguration',
  });
  expect(preview.notes).toEqual(
    expect.arrayContaining([
      `function ${name} now: python3.12, handler app.handler, 128 MB, 3 s timeout, code ${sha('PK v1')} (5 bytes), last modified ${String(preview.facts.lastModified)}, state Active`,
      'Timeout: 3 → 30',
      'MemorySize: 128 → 256',
      'environment variables: adds LOG_LEVEL; removes REGION_NAME (values not shown)',
    ]),
  );
  expect(JSON.stringify(preview)).not.toMatch(/hunter2|debug/);
  expect(preview.preconditions).toEqual({ targetSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expectSessionPolicy(aws, input.actionId, 'preview', [{ Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration'], Resource: [functionArn(name)] }]);

  await aws.execute(input);
  // The call, iam:PassRole on the role it names (input-dependent), and the recheck's read.
  expectSessionPolicy(aws, input.actionId, 'execute', [
    { Effect: 'Allow', Action: ['lambda:UpdateFunctionConfiguration'], Resource: [functionArn(name)] },
    { Effect: 'Allow', Action: ['iam:PassRole'], Resource: [ROLE_ARN] },
    { Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration'], Resource: [functionArn(name)] },
  ]);
  const after = await configuration(name);
  expect(after).toMatchObject({ Timeout: 30, MemorySize: 256, Environment: { Variables: change.Environment.Variables } });
});

describe('a function changed after the preview fails precondition_failed, and nothing is changed', () => {
  const raise = (name: string) => aws.params('lambda', 'UpdateFunctionConfiguration', { FunctionName: name, Timeout: 60 });

  test('new code deployed meanwhile (CodeSha256)', async () => {
    const name = await createFunction();
    const { input } = await aws.previewed(raise(name));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: Buffer.from('PK hotfix') }));

    const failure = await failureOf(aws.execute(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(await configuration(name)).toMatchObject({ Timeout: 3, CodeSha256: sha('PK hotfix') });
  });

  test('another setting changed meanwhile (moto keeps RevisionId and LastModified: the configuration digest catches it)', async () => {
    const name = await createFunction();
    const { input } = await aws.previewed(raise(name));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, MemorySize: 1024 }));

    const failure = await failureOf(aws.execute(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(await configuration(name)).toMatchObject({ Timeout: 3, MemorySize: 1024 });
  });
});

test('PutFunctionConcurrency: reads the reservation too, and sets it', async () => {
  const name = await createFunction();
  const params = aws.params('lambda', 'PutFunctionConcurrency', { FunctionName: name, ReservedConcurrentExecutions: 5 });
  const { input, preview } = await aws.previewed(params);
  expect(preview.facts).toMatchObject({ reservedConcurrency: null, functionExists: true });
  expect(preview.notes).toContain('reserved concurrency: none (the account pool) → 5');
  const reads: IamStatement = { Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration'], Resource: [functionArn(name)] };
  const concurrencyRead: IamStatement = { Effect: 'Allow', Action: ['lambda:GetFunctionConcurrency'], Resource: [functionArn(name)] };
  expectSessionPolicy(aws, input.actionId, 'preview', [reads, concurrencyRead]);

  await aws.execute(input);
  expectSessionPolicy(aws, input.actionId, 'execute', [
    { Effect: 'Allow', Action: ['lambda:PutFunctionConcurrency'], Resource: [functionArn(name)] },
    reads,
    concurrencyRead,
  ]);
  expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions).toBe(5);
});

test('DeleteFunction: warned, then the function is gone', async () => {
  const name = await createFunction();
  const params = aws.params('lambda', 'DeleteFunction', { FunctionName: functionArn(name) });
  const { input, preview } = await aws.previewed(params);
  expect(preview.warnings).toEqual([`deletes function ${name} with every version and alias`]);
  await aws.execute(input);
  await expect(configuration(name)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});

test('Invoke: previewed (payload size only), bound to nothing', async () => {
  const name = await createFunction();
  const params = aws.params('lambda', 'Invoke', { FunctionName: name, Payload: '{"orderId":"o-1"}' });
  const { input, preview } = await aws.previewed(params);
  expect(preview.facts).toMatchObject({ iamAction: 'lambda:InvokeFunction', codeSha256: sha('PK v1'), payloadBytes: 17 });
  expect(preview.notes).toContain(`runs code ${sha('PK v1')} (RequestResponse)`);
  expect(JSON.stringify(preview)).not.toContain('o-1');
  expect(preview.preconditions).toEqual({ targetSha256: null });
  expectSessionPolicy(aws, input.actionId, 'preview', [{ Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration'], Resource: [functionArn(name)] }]);
});

test('UpdateFunctionCode: names the code it replaces and the code it deploys, bound to the function', async () => {
  const name = await createFunction();
  const { preview } = await aws.preview(aws.params('lambda', 'UpdateFunctionCode', { FunctionName: name, S3Bucket: 'airlock-src', S3Key: 'fn/v2.zip' }));
  expect(preview.notes).toContain(`replaces code ${sha('PK v1')} with s3://airlock-src/fn/v2.zip`);
  expect(preview.preconditions).toEqual({ targetSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
});

test('a function that does not exist: the preview says the call would fail', async () => {
  const name = unique('airlock-fn-none');
  const { preview } = await aws.preview(aws.params('lambda', 'DeleteFunction', { FunctionName: name }));
  expect(preview.facts).toMatchObject({ functionExists: false });
  expect(preview.warnings).toEqual([`lambda function ${name} does not exist: the call would fail`]);
});

test('UpdateFunctionConfiguration without FunctionName is refused at resolve, and the preview fails before any AssumeRole', async () => {
  const params = aws.params('lambda', 'UpdateFunctionConfiguration', { Timeout: 30 });
  expect(await refusedBeforeAnyCredential(aws, params)).toBe(
    'invalid params for aws.call: params.input: no least-privilege session policy: lambda:UpdateFunctionConfiguration needs a function ' +
      '(arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}): ${FunctionName} comes from input.FunctionName, which the input does not have',
  );
});
