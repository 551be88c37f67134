import { createHash } from 'node:crypto';
import type { CodeObjectSender, LambdaSender } from '../../../../operations/lambda/client';
import {
  findCodeApplied,
  lambdaUpdateFunctionCode,
  previewUpdateFunctionCode,
  updateAsPreviewed,
  updateFunctionCodeParams,
  updateFunctionCodePreconditions,
  updateFunctionCodePreviewPolicy,
  updateFunctionCodeSessionPolicy,
  UnreviewedCodeError,
  type UpdateFunctionCodeParams,
  type UpdateFunctionCodePreconditions,
} from '../../../../operations/lambda/update-function-code';
import { PreconditionFailedError } from '../../../../operations/preconditions';
import { fitsSessionPolicyLimit } from '../../../../operations/session-time';
import type { IamPolicyDocument } from '../../../../operations/types';
import { operationProblem } from '../../../../operations/user-operations';

const FN_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:orders-api';
const CODE_ARN = 'arn:aws:s3:::build-artifacts/orders-api/v2.zip';

const good: UpdateFunctionCodeParams = {
  functionName: 'orders-api',
  accountId: '123456789012',
  region: 'us-east-1',
  s3Bucket: 'build-artifacts',
  s3Key: 'orders-api/v2.zip',
};
const versioned: UpdateFunctionCodeParams = { ...good, s3ObjectVersion: 'Gb2.x_9+y/z=', publish: true };

function refusals(params: unknown): string[] {
  const result = updateFunctionCodeParams.safeParse(params);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function actionsAndResources(policy: IamPolicyDocument): string[] {
  return policy.Statement.flatMap((statement) => [...statement.Action, ...statement.Resource]);
}

describe('lambda.updateFunctionCode params', () => {
  test.each([
    ['the minimal params', good],
    ['a version and publish', versioned],
    ['publish: false', { ...good, publish: false }],
    ['a 64-character name with underscores and digits', { ...good, functionName: `a_${'9'.repeat(62)}` }],
    ['another region', { ...good, region: 'us-gov-west-1' }],
    ['a 1024-byte ASCII key', { ...good, s3Key: 'k'.repeat(1024) }],
    ...lambdaUpdateFunctionCode.examples!.map((example, index) => [`example ${index}`, example] as [string, UpdateFunctionCodeParams]),
  ])('accepts %s', (_name, params) => {
    expect(refusals(params)).toEqual([]);
  });

  test.each([
    ['a function ARN', { functionName: FN_ARN }, 'functionName: function name must be the plain name, not an ARN'],
    ['a partial ARN', { functionName: '123456789012:function:orders-api' }, 'functionName: function name must be the plain name, not an ARN'],
    ['a qualified name', { functionName: 'orders-api:prod' }, 'functionName: function name must be the plain name, not an ARN'],
    ['"*" in the name', { functionName: 'orders-*' }, 'functionName: function name must not contain "*" or "?"'],
    ['a bare "*"', { functionName: '*' }, 'functionName: function name must not contain "*" or "?"'],
    ['"?" in the name', { functionName: 'orders-ap?' }, 'functionName: function name must not contain "*" or "?"'],
    ['a policy variable in the name', { functionName: '${aws:username}' }, 'functionName: function name must not contain "${"'],
    ['a dot in the name', { functionName: 'orders.api' }, 'functionName: function name may contain only letters, digits, hyphens and underscores'],
    ['a 65-character name', { functionName: 'f'.repeat(65) }, 'functionName: function name must be 1 to 64 characters long'],
    ['an empty name', { functionName: '' }, 'functionName: function name must be 1 to 64 characters long'],
    ['an 11-digit account', { accountId: '12345678901' }, 'accountId: account id must be exactly 12 digits'],
    ['a 13-digit account', { accountId: '1234567890123' }, 'accountId: account id must be exactly 12 digits'],
    ['a wildcard account', { accountId: '*' }, 'accountId: account id must be exactly 12 digits'],
    ['an account with letters', { accountId: '12345678901a' }, 'accountId: account id must be exactly 12 digits'],
    ['a wildcard region', { region: '*' }, 'region: region must be an AWS region name'],
    ['a region with a colon', { region: 'us-east-1:123' }, 'region: region must be an AWS region name'],
    ['a wildcard in the key', { s3Key: 'orders-api/*.zip' }, 's3Key: object key must not contain "*"'],
    ['a policy variable in the key', { s3Key: '${aws:username}.zip' }, 's3Key: object key must not contain "${"'],
    ['a bad bucket', { s3Bucket: 'Build_Artifacts' }, 's3Bucket: bucket name may contain only lowercase letters'],
    ['an empty version', { s3ObjectVersion: '' }, 's3ObjectVersion: object version must not be empty'],
    ['a version with a space', { s3ObjectVersion: 'a b' }, 's3ObjectVersion: object version may contain only'],
    ['publish as a string', { publish: 'true' }, 'publish: Invalid input: expected boolean'],
    ['an inline ZipFile', { ZipFile: 'UEsDBA==' }, ': Unrecognized key: "ZipFile"'],
    // 512 two-byte characters: 1,024 bytes, but 3,072 characters once escaped for STS.
    ['a key that fits S3 but not the session policy', { s3Key: 'é'.repeat(512) }, 's3Key: the object key is too long'],
  ])('refuses %s', (_name, change, message) => {
    expect(refusals({ ...good, ...change }).some((refusal) => refusal.startsWith(message))).toBe(true);
  });

  test('refuses missing fields', () => {
    expect(refusals({ functionName: 'f' }).sort()).toEqual([
      'accountId: Invalid input: expected string, received undefined',
      'region: Invalid input: expected string, received undefined',
      's3Bucket: Invalid input: expected string, received undefined',
      's3Key: Invalid input: expected string, received undefined',
    ]);
  });

  test('summary', () => {
    expect(lambdaUpdateFunctionCode.summarize(good)).toBe(
      'update the code of lambda function orders-api (123456789012, us-east-1) from s3://build-artifacts/orders-api/v2.zip',
    );
    expect(lambdaUpdateFunctionCode.summarize(versioned)).toBe(
      'update the code of lambda function orders-api (123456789012, us-east-1) from s3://build-artifacts/orders-api/v2.zip version Gb2.x_9+y/z=, and publish a version',
    );
  });
});

describe('lambda.updateFunctionCode policies', () => {
  test('session policy: update and re-read exactly the function, read exactly the code object', () => {
    const policy = updateFunctionCodeSessionPolicy(good, 'aws');
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement).toHaveLength(2);
    expect(policy.Statement[0]).toEqual({
      Effect: 'Allow',
      Action: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode'],
      Resource: [FN_ARN],
    });
    expect(policy.Statement[1]).toEqual({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [CODE_ARN] });
  });

  test('session policy with a version: the version read only, and publish needs nothing more', () => {
    const policy = updateFunctionCodeSessionPolicy(versioned, 'aws');
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode'], Resource: [FN_ARN] },
      { Effect: 'Allow', Action: ['s3:GetObjectVersion'], Resource: [CODE_ARN] },
    ]);
  });

  test('preview policy: read-only, the configuration (not GetFunction) and the code object', () => {
    expect(updateFunctionCodePreviewPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration'], Resource: [FN_ARN] },
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [CODE_ARN] },
      ],
    });
    expect(updateFunctionCodePreviewPolicy(versioned, 'aws').Statement[1]).toEqual({ Effect: 'Allow', Action: ['s3:GetObjectVersion'], Resource: [CODE_ARN] });
  });

  test('ARNs follow the partition, region and account; a bad partition is refused', () => {
    const params = { ...good, accountId: '210987654321', region: 'cn-north-1' };
    expect(actionsAndResources(updateFunctionCodeSessionPolicy(params, 'aws-cn'))).toEqual([
      'lambda:GetFunctionConfiguration',
      'lambda:UpdateFunctionCode',
      'arn:aws-cn:lambda:cn-north-1:210987654321:function:orders-api',
      's3:GetObject',
      'arn:aws-cn:s3:::build-artifacts/orders-api/v2.zip',
    ]);
    expect(() => updateFunctionCodeSessionPolicy(good, 'aws:*')).toThrow('invalid AWS partition');
    expect(() => updateFunctionCodePreviewPolicy(good, '*')).toThrow('invalid AWS partition');
  });

  test.each([
    ['minimal', good],
    ['versioned', versioned],
    ['longest key', { ...good, s3Key: 'k'.repeat(1024) }],
  ])('%s: no wildcard anywhere, and both policies fit STS in the longest partition', (_name, params) => {
    for (const policy of [updateFunctionCodeSessionPolicy(params, 'aws-us-gov'), updateFunctionCodePreviewPolicy(params, 'aws-us-gov')]) {
      expect(actionsAndResources(policy).filter((value) => value.includes('*') || value.includes('?'))).toEqual([]);
      expect(policy.Statement.every((statement) => statement.Effect === 'Allow' && statement.Condition === undefined)).toBe(true);
      expect(fitsSessionPolicyLimit(policy)).toBe(true);
    }
  });

  test('passes the check Airlock applies to operations it loads', () => {
    expect(operationProblem(lambdaUpdateFunctionCode as never, new Set())).toBeUndefined();
  });
});

// Fakes for the behaviour moto cannot show (it reports no RevisionId, and ignores one sent).

type Handler = (input: Record<string, unknown>) => unknown;

/** A stand-in for an SDK client: answers each command by its class name, throws what a handler throws. */
function fake<S>(handlers: { [command: string]: Handler }): { client: S; calls: { name: string; input: Record<string, unknown> }[] } {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    calls.push({ name, input: command.input });
    const handler = handlers[name];
    if (!handler) throw new Error(`unexpected ${name}`);
    return handler(command.input);
  };
  // The SDK's overloaded `send` cannot be written as one function type; the fake honours the calls used.
  return { client: { send } as unknown as S, calls };
}

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

const NEW_CODE = Buffer.from('PK new code');
const NEW_SHA = createHash('sha256').update(NEW_CODE).digest('base64');
const OLD_SHA = createHash('sha256').update('PK old code').digest('base64');

const configuration = {
  FunctionName: 'orders-api',
  FunctionArn: FN_ARN,
  Runtime: 'python3.12',
  Handler: 'app.handler',
  PackageType: 'Zip',
  CodeSize: 11,
  CodeSha256: OLD_SHA,
  LastModified: '2026-11-01T10:00:00.000+0000',
  RevisionId: 'rev-1',
  State: 'Active',
  LastUpdateStatus: 'Successful',
  Version: '$LATEST',
};
const head = { ContentLength: NEW_CODE.length, ETag: '"etag-2"', LastModified: new Date('2026-11-02T09:00:00Z') };

function lambdaWith(handlers: { [command: string]: Handler } = {}) {
  return fake<LambdaSender>({ GetFunctionConfigurationCommand: () => configuration, ...handlers });
}

function s3With(handlers: { [command: string]: Handler } = {}) {
  return fake<CodeObjectSender>({ HeadObjectCommand: () => head, GetObjectCommand: () => ({ ...head, Body: [NEW_CODE] }), ...handlers });
}

const reviewed: UpdateFunctionCodePreconditions = { function: { revisionId: 'rev-1', codeSha256: OLD_SHA }, code: { eTag: '"etag-2"', sha256: NEW_SHA } };

describe('lambda.updateFunctionCode preview', () => {
  test('facts, notes and preconditions of a function and its new code', async () => {
    const lambda = lambdaWith();
    const s3 = s3With();
    const preview = await previewUpdateFunctionCode(versioned, lambda.client, s3.client, 'aws');
    expect(preview.facts).toEqual({
      functionExists: true,
      functionArn: FN_ARN,
      runtime: 'python3.12',
      handler: 'app.handler',
      packageType: 'Zip',
      state: 'Active',
      lastUpdateStatus: 'Successful',
      currentCodeSha256: OLD_SHA,
      currentCodeSize: 11,
      lastModified: '2026-11-01T10:00:00.000+0000',
      revisionId: 'rev-1',
      codeObjectExists: true,
      newCodeBytes: NEW_CODE.length,
      newCodeETag: '"etag-2"',
      newCodeLastModified: '2026-11-02T09:00:00.000Z',
      newCodeSha256: NEW_SHA,
      sameCode: false,
      publish: true,
    });
    expect(preview.warnings).toEqual([]);
    expect(updateFunctionCodePreconditions.parse(preview.preconditions)).toEqual(reviewed);
    // The function by its full ARN; the object read by version, and the download bound to the ETag the HEAD read.
    expect(lambda.calls).toEqual([{ name: 'GetFunctionConfigurationCommand', input: { FunctionName: FN_ARN } }]);
    expect(s3.calls.map((call) => call.input)).toEqual([
      { Bucket: 'build-artifacts', Key: 'orders-api/v2.zip', VersionId: 'Gb2.x_9+y/z=' },
      { Bucket: 'build-artifacts', Key: 'orders-api/v2.zip', VersionId: 'Gb2.x_9+y/z=', IfMatch: '"etag-2"' },
    ]);
  });

  test('an image function, an update in progress, and a function that is not Active: warnings', async () => {
    const lambda = lambdaWith({
      GetFunctionConfigurationCommand: () => ({
        ...configuration,
        PackageType: 'Image',
        State: 'Pending',
        StateReason: 'creating',
        LastUpdateStatus: 'InProgress',
      }),
    });
    const preview = await previewUpdateFunctionCode(good, lambda.client, s3With().client, 'aws');
    expect(preview.warnings).toEqual([
      'lambda function orders-api (123456789012, us-east-1) is packaged as a container image: it cannot take a .zip package, so the update would fail',
      'lambda function orders-api (123456789012, us-east-1) is Pending (creating), not Active: the update may fail, or find the function changed when its state settles',
      'an update of lambda function orders-api (123456789012, us-east-1) is in progress: Lambda refuses another until it ends, and the function will have changed by then',
    ]);
  });

  test('a missing function and a missing object: warnings, and nothing to bind to', async () => {
    const lambda = lambdaWith({
      GetFunctionConfigurationCommand: () => {
        throw awsError('ResourceNotFoundException', 404);
      },
    });
    const s3 = s3With({
      HeadObjectCommand: () => {
        throw awsError('NotFound', 404);
      },
    });
    const preview = await previewUpdateFunctionCode(good, lambda.client, s3.client, 'aws');
    expect(preview.facts).toEqual({ functionExists: false, codeObjectExists: false, publish: false });
    expect(preview.warnings).toEqual([
      'lambda function orders-api (123456789012, us-east-1) does not exist: the update would fail',
      's3://build-artifacts/orders-api/v2.zip does not exist: the update would fail',
    ]);
    expect(preview.preconditions).toEqual({ function: null, code: null });
  });

  test('an object that may not be read, and one encrypted with SSE-KMS (not downloaded): the update cannot run', async () => {
    const denied = s3With({
      HeadObjectCommand: () => {
        throw awsError('Forbidden', 403);
      },
    });
    const unreadable = await previewUpdateFunctionCode(good, lambdaWith().client, denied.client, 'aws');
    expect(unreadable.facts.codeObjectExists).toBeNull();
    expect(unreadable.warnings).toEqual([
      's3://build-artifacts/orders-api/v2.zip could not be read (it does not exist, or may not be read): the update would fail',
      'the update cannot run: no content of s3://build-artifacts/orders-api/v2.zip was read, so none can be approved',
    ]);

    const kms = s3With({ HeadObjectCommand: () => ({ ...head, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k1' }) });
    const encrypted = await previewUpdateFunctionCode(good, lambdaWith().client, kms.client, 'aws');
    expect(kms.calls.map((call) => call.name)).toEqual(['HeadObjectCommand']);
    expect(encrypted.warnings[0]).toBe(
      's3://build-artifacts/orders-api/v2.zip was not read: it is encrypted with SSE-KMS (key arn:aws:kms:us-east-1:123456789012:key/k1): ' +
        'the session grants no kms:Decrypt, so Lambda could not read it and the update would fail',
    );
    expect(encrypted.preconditions).toMatchObject({ code: null });
  });

  test('the function already runs this code: a note, sameCode', async () => {
    const lambda = lambdaWith({ GetFunctionConfigurationCommand: () => ({ ...configuration, CodeSha256: NEW_SHA }) });
    const preview = await previewUpdateFunctionCode(good, lambda.client, s3With().client, 'aws');
    expect(preview.facts.sameCode).toBe(true);
    expect(preview.notes).toContain(
      'lambda function orders-api (123456789012, us-east-1) already runs this code (same SHA-256): the update changes only its revision',
    );
  });
});

describe('lambda.updateFunctionCode execution', () => {
  const updated = { ...configuration, CodeSha256: NEW_SHA, CodeSize: NEW_CODE.length, RevisionId: 'rev-2', LastUpdateStatus: 'InProgress' };

  test('re-reads, checks the ETag, and sends the previewed RevisionId', async () => {
    const lambda = lambdaWith({ UpdateFunctionCodeCommand: () => ({ ...updated, Version: '7' }) });
    const s3 = s3With();
    const outcome = await updateAsPreviewed(versioned, lambda.client, s3.client, reviewed, 'aws');
    expect(lambda.calls).toEqual([
      { name: 'GetFunctionConfigurationCommand', input: { FunctionName: FN_ARN } },
      {
        name: 'UpdateFunctionCodeCommand',
        input: {
          FunctionName: FN_ARN,
          S3Bucket: 'build-artifacts',
          S3Key: 'orders-api/v2.zip',
          S3ObjectVersion: 'Gb2.x_9+y/z=',
          Publish: true,
          RevisionId: 'rev-1',
        },
      },
    ]);
    expect(s3.calls).toEqual([{ name: 'HeadObjectCommand', input: { Bucket: 'build-artifacts', Key: 'orders-api/v2.zip', VersionId: 'Gb2.x_9+y/z=' } }]);
    expect(outcome.outputs).toEqual({
      functionArn: FN_ARN,
      code: 's3://build-artifacts/orders-api/v2.zip version Gb2.x_9+y/z=',
      codeSha256: NEW_SHA,
      codeSize: NEW_CODE.length,
      revisionId: 'rev-2',
      version: '7',
    });
  });

  test("Lambda's PreconditionFailedException (changed after the re-read) becomes PreconditionFailedError", async () => {
    let reads = 0;
    const lambda = lambdaWith({
      GetFunctionConfigurationCommand: () => (++reads === 1 ? configuration : { ...configuration, RevisionId: 'rev-9' }),
      UpdateFunctionCodeCommand: () => {
        throw awsError('PreconditionFailedException', 412);
      },
    });
    const failure = updateAsPreviewed(good, lambda.client, s3With().client, reviewed, 'aws');
    await expect(failure).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(failure).rejects.toThrow(
      `lambda function orders-api (123456789012, us-east-1) changed after the preview: the preview read revision rev-1, code ${OLD_SHA}, it is now revision rev-9, code ${OLD_SHA}; nothing was changed`,
    );
  });

  test.each([
    ['another revision', { RevisionId: 'rev-9' }],
    ['other code, same revision reported', { CodeSha256: NEW_SHA }],
  ])('a function changed before the re-read (%s): refused before any update', async (_name, change) => {
    const lambda = lambdaWith({ GetFunctionConfigurationCommand: () => ({ ...configuration, ...change }) });
    const s3 = s3With();
    await expect(updateAsPreviewed(good, lambda.client, s3.client, reviewed, 'aws')).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(lambda.calls.map((call) => call.name)).toEqual(['GetFunctionConfigurationCommand']);
    expect(s3.calls).toEqual([]);
  });

  test('without a RevisionId from Lambda (moto), the code digest is compared and none is sent', async () => {
    const lambda = lambdaWith({
      GetFunctionConfigurationCommand: () => ({ ...configuration, RevisionId: undefined }),
      UpdateFunctionCodeCommand: () => ({ ...updated, RevisionId: undefined }),
    });
    await updateAsPreviewed(good, lambda.client, s3With().client, { ...reviewed, function: { revisionId: null, codeSha256: OLD_SHA } }, 'aws');
    expect(lambda.calls[1]?.input).toEqual({ FunctionName: FN_ARN, S3Bucket: 'build-artifacts', S3Key: 'orders-api/v2.zip' });
  });

  test('a replaced or deleted code object: refused before any update', async () => {
    const replaced = lambdaWith();
    await expect(
      updateAsPreviewed(good, replaced.client, s3With({ HeadObjectCommand: () => ({ ...head, ETag: '"etag-3"' }) }).client, reviewed, 'aws'),
    ).rejects.toThrow('s3://build-artifacts/orders-api/v2.zip changed after the preview: the preview read ETag "etag-2", it now has ETag "etag-3"');
    const deleted = lambdaWith();
    const gone = s3With({
      HeadObjectCommand: () => {
        throw awsError('NotFound', 404);
      },
    });
    await expect(updateAsPreviewed(good, deleted.client, gone.client, reviewed, 'aws')).rejects.toBeInstanceOf(PreconditionFailedError);
    for (const lambda of [replaced, deleted]) expect(lambda.calls.map((call) => call.name)).toEqual(['GetFunctionConfigurationCommand']);
  });

  test('nothing reviewed: a missing object fails as NoSuchKey, one that appeared since as precondition_failed; no Lambda call', async () => {
    const lambda = lambdaWith();
    const gone = s3With({
      HeadObjectCommand: () => {
        throw awsError('NotFound', 404);
      },
    });
    await expect(updateAsPreviewed(good, lambda.client, gone.client, { ...reviewed, code: null }, 'aws')).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(updateAsPreviewed(good, lambda.client, s3With().client, { ...reviewed, code: null }, 'aws')).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(lambda.calls).toEqual([]);
  });

  test('Lambda took other bytes than the reviewed: UnreviewedCodeError, not retried', async () => {
    const lambda = lambdaWith({ UpdateFunctionCodeCommand: () => ({ ...updated, CodeSha256: OLD_SHA.replace(/^./, 'X') }) });
    const failure = updateAsPreviewed(good, lambda.client, s3With().client, reviewed, 'aws');
    await expect(failure).rejects.toBeInstanceOf(UnreviewedCodeError);
    await expect(failure).rejects.toMatchObject({ name: 'UnreviewedCodeDeployed', $fault: 'client' });
  });
});

describe('lambda.updateFunctionCode findApplied', () => {
  test('applied exactly when the function runs the reviewed code', async () => {
    const now = lambdaWith({ GetFunctionConfigurationCommand: () => ({ ...configuration, CodeSha256: NEW_SHA, RevisionId: 'rev-2' }) });
    expect(await findCodeApplied(good, now.client, reviewed, 'aws')).toEqual({
      summary: lambdaUpdateFunctionCode.summarize(good),
      outputs: { functionArn: FN_ARN, code: 's3://build-artifacts/orders-api/v2.zip', codeSha256: NEW_SHA, codeSize: 11, revisionId: 'rev-2' },
    });
    // Someone else's change (other code, a new revision) is not this one.
    const other = lambdaWith({ GetFunctionConfigurationCommand: () => ({ ...configuration, CodeSha256: OLD_SHA.replace(/^./, 'X'), RevisionId: 'rev-3' }) });
    expect(await findCodeApplied(good, other.client, reviewed, 'aws')).toBeUndefined();
    const unchanged = lambdaWith();
    expect(await findCodeApplied(good, unchanged.client, reviewed, 'aws')).toBeUndefined();
    expect(await findCodeApplied(good, unchanged.client, { ...reviewed, code: null }, 'aws')).toBeUndefined();
  });
});
