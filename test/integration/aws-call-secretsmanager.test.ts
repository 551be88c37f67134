import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { expectSessionPolicy, refusedBeforeAnyCredential, startAwsCallHarness, unique, type AwsCallHarness } from '../support/aws-call-harness';
import { failureOf } from '../support/failures';

// aws.call on Secrets Manager through the preview and execute activities, STS on moto. The hooks
// describe the secret and never read its value: values are read here, with moto's base
// credentials, only to check what the execution wrote.

const ACCOUNT = '123456789012';
let aws: AwsCallHarness;
let secrets: SecretsManagerClient;

beforeAll(async () => {
  aws = await startAwsCallHarness();
  secrets = new SecretsManagerClient(aws.moto);
});
afterAll(async () => {
  secrets?.destroy();
  await aws?.stop();
});

/** A new secret under a path-like name (`/` is allowed in secret names and in their ARN). */
async function createSecret(value: string): Promise<{ name: string; arn: string; versionId: string }> {
  const name = unique('airlock/db');
  const created = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return { name, arn: created.ARN ?? '', versionId: created.VersionId ?? '' };
}

async function valueOf(name: string): Promise<string | undefined> {
  return (await secrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
}

/** The secret's ARN as the session policy names it: AWS's six random characters as `?` each. */
const policyArn = (name: string): string => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-??????`;

test('moto is the account the literal ARNs below name', () => {
  expect(aws.account).toBe(ACCOUNT);
});

test('PutSecretValue: previewed by DescribeSecret alone, no value anywhere; the execution writes the new value', async () => {
  const oldValue = `old-${randomUUID()}`;
  const newValue = `new-${randomUUID()}`;
  const secret = await createSecret(oldValue);
  expect(secret.arn).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${secret.name}-[A-Za-z0-9]{6}$`));
  const params = aws.params('secretsmanager', 'PutSecretValue', { SecretId: secret.name, SecretString: newValue });
  const { input, preview } = await aws.previewed(params);
  expect(preview.facts).toMatchObject({
    secretExists: true,
    secretArn: secret.arn,
    currentVersionId: secret.versionId,
    versionCount: 1,
    deletionScheduled: false,
    deletedDate: null,
    rotationEnabled: false,
    iamAction: 'secretsmanager:PutSecretValue',
    resource: policyArn(secret.name),
  });
  expect(Date.parse(String(preview.facts.lastChangedDate))).toBeGreaterThan(Date.now() - 60_000);
  expect(preview.notes).toContain('writes a new value (not shown) as a new version labelled AWSCURRENT');
  expect(preview.preconditions).toEqual({ targetSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expectSessionPolicy(aws, input.actionId, 'preview', [{ Effect: 'Allow', Action: ['secretsmanager:DescribeSecret'], Resource: [policyArn(secret.name)] }]);

  const result = await aws.execute(input);
  expectSessionPolicy(aws, input.actionId, 'execute', [
    { Effect: 'Allow', Action: ['secretsmanager:PutSecretValue'], Resource: [policyArn(secret.name)] },
    { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret'], Resource: [policyArn(secret.name)] },
  ]);
  expect(await valueOf(secret.name)).toBe(newValue);
  // Neither value, in what the preview and the execution hand back (both land in workflow history).
  for (const value of [oldValue, newValue]) {
    expect(JSON.stringify(preview)).not.toContain(value);
    expect(JSON.stringify(result)).not.toContain(value);
  }
  // Nor in anything AWS answered the worker: no call of its sessions read a value (the checks here go to moto directly).
  for (const body of aws.proxy.responses()) expect(body).not.toContain(oldValue);
});

test('a secret written after the preview fails precondition_failed, and keeps the value written meanwhile', async () => {
  const secret = await createSecret('v1');
  const params = aws.params('secretsmanager', 'PutSecretValue', { SecretId: secret.arn, SecretString: 'reviewed overwrite' });
  const { input, preview } = await aws.previewed(params);
  // An ARN in the input is taken as it is, suffix included.
  expect(preview.facts.resource).toBe(secret.arn);
  await secrets.send(new PutSecretValueCommand({ SecretId: secret.name, SecretString: 'rotated meanwhile' }));

  const failure = await failureOf(aws.execute(input));
  expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
  expect(failure.message).toContain('the target of secretsmanager PutSecretValue changed after the preview');
  expect(await valueOf(secret.name)).toBe('rotated meanwhile');
});

test('DeleteSecret: the recovery window is shown, then the deletion is scheduled', async () => {
  const secret = await createSecret('v1');
  const params = aws.params('secretsmanager', 'DeleteSecret', { SecretId: secret.name, RecoveryWindowInDays: 7 });
  const { input, preview } = await aws.previewed(params);
  expect(preview.warnings).toEqual(['schedules the secret for deletion; it can be restored for 7 days']);
  await aws.execute(input);
  const described = await secrets.send(new DescribeSecretCommand({ SecretId: secret.name }));
  expect(described.DeletedDate).toBeInstanceOf(Date);

  // A second look sees the scheduled deletion.
  const { preview: again } = await aws.preview(aws.params('secretsmanager', 'PutSecretValue', { SecretId: secret.name, SecretString: 'x' }));
  expect(again.facts).toMatchObject({ deletionScheduled: true, deletedDate: described.DeletedDate?.toISOString() });
  expect(again.warnings).toEqual([`the secret is scheduled for deletion on ${described.DeletedDate?.toISOString()}: writes to it fail`]);
});

test('UpdateSecret: says what changes without the value, and writes it; RotateSecret names what rotates', async () => {
  const secret = await createSecret('v1');
  const newValue = `new-${randomUUID()}`;
  const { input, preview } = await aws.previewed(
    aws.params('secretsmanager', 'UpdateSecret', { SecretId: secret.name, SecretString: newValue, Description: 'db password' }),
  );
  expect(preview.notes).toContain('changes the value (a new AWSCURRENT version, not shown); the description');
  expect(JSON.stringify(preview)).not.toContain(newValue);
  await aws.execute(input);
  expect(await valueOf(secret.name)).toBe(newValue);

  // Rotation runs a Lambda function (docker on moto): previewed only.
  const rotator = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:rotate-db`;
  const { preview: rotation } = await aws.preview(aws.params('secretsmanager', 'RotateSecret', { SecretId: secret.name, RotationLambdaARN: rotator }));
  const current = (await secrets.send(new DescribeSecretCommand({ SecretId: secret.name }))).VersionIdsToStages ?? {};
  const currentId = Object.keys(current).find((id) => current[id]?.includes('AWSCURRENT'));
  expect(rotation.facts).toMatchObject({ currentVersionId: currentId, versionCount: 2, rotationEnabled: false });
  expect(rotation.notes).toContain(`rotates the secret now with ${rotator}: a new AWSCURRENT version replaces ${currentId}`);
});

test('PutSecretValue without SecretId is refused at resolve, and the preview fails before any AssumeRole', async () => {
  const params = aws.params('secretsmanager', 'PutSecretValue', { SecretString: 'x' });
  expect(await refusedBeforeAnyCredential(aws, params)).toBe(
    'invalid params for aws.call: params.input: no least-privilege session policy: secretsmanager:PutSecretValue needs a Secret ' +
      '(arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}): ${SecretId} comes from input.SecretId or input.Name, which the input does not have',
  );
});
