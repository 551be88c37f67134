import fc from 'fast-check';
import { AwsCallDerivationError, derivePermissions, type AwsCallTarget } from '../../../../operations/aws-call/derive';
import { awsCallParams } from '../../../../operations/aws-call/params';
import type { AwsCallService } from '../../../../operations/aws-call/services';
import { hasIamWildcard } from '../../../../operations/policy-check';
import { fuzzParameters } from '../../../support/fuzz';

/** Calls of every listed service, each with the input fields its ARNs are derived from. */
const CALLS: readonly { service: AwsCallService; operation: string; fields: readonly string[] }[] = [
  { service: 'dynamodb', operation: 'DeleteItem', fields: ['TableName'] },
  { service: 'dynamodb', operation: 'Query', fields: ['TableName', 'IndexName'] },
  { service: 's3', operation: 'DeleteObject', fields: ['Bucket', 'Key'] },
  { service: 's3', operation: 'PutBucketPolicy', fields: ['Bucket'] },
  { service: 's3', operation: 'ListObjectsV2', fields: ['Bucket', 'Prefix'] },
  { service: 'lambda', operation: 'Invoke', fields: ['FunctionName'] },
  { service: 'lambda', operation: 'CreateFunction', fields: ['FunctionName', 'Role'] },
  { service: 'sqs', operation: 'PurgeQueue', fields: ['QueueUrl'] },
  { service: 'sns', operation: 'Publish', fields: ['TopicArn'] },
  { service: 'secretsmanager', operation: 'PutSecretValue', fields: ['SecretId'] },
  { service: 'ec2', operation: 'StopInstances', fields: ['InstanceIds'] },
  { service: 'iam', operation: 'PutRolePolicy', fields: ['RoleName'] },
  { service: 'iam', operation: 'AttachRolePolicy', fields: ['RoleName', 'PolicyArn'] },
];

/** What an agent may put in a field: names, ARNs and URLs with wildcards, variables and separators spliced in. */
const hostilePiece = fc.constantFrom('*', '?', '${aws:username}', '$', '/', ':', '-??????', 'arn:aws:', '%2A', '\u0000', '');
const namePiece = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
const fieldValue = fc.oneof(
  fc.array(fc.oneof(namePiece, hostilePiece), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('')),
  fc.tuple(fc.oneof(namePiece, hostilePiece), fc.oneof(namePiece, hostilePiece)).map(([a, b]) => `arn:aws:sns:eu-west-1:123456789012:${a}${b}`),
  fc.tuple(fc.oneof(namePiece, hostilePiece)).map(([a]) => `https://sqs.eu-west-1.amazonaws.com/123456789012/${a}`),
  fc.tuple(fc.oneof(namePiece, hostilePiece)).map(([a]) => `arn:aws:iam::123456789012:role/${a}`),
  fc.array(fc.oneof(namePiece, hostilePiece), { minLength: 1, maxLength: 3 }),
);

const call = fc.constantFrom(...CALLS).chain((chosen) =>
  fc.record({
    chosen: fc.constant(chosen),
    values: fc.tuple(...chosen.fields.map(() => fieldValue)),
  }),
);

/** The wildcards Airlock itself writes: `*` for actions that apply to no resource type, six `?` for a secret's random suffix. */
function isOwnWildcard(resource: string): boolean {
  return resource === '*' || (/:secretsmanager:/.test(resource) && !hasIamWildcard(resource.replace(/-\?{6}$/, '')));
}

describe('aws.call never puts a wildcard from input in a session policy (fast-check)', () => {
  it('every resource of every derived policy is exact, but for wildcards Airlock writes itself', () => {
    fc.assert(
      fc.property(call, ({ chosen, values }) => {
        const input = Object.fromEntries(chosen.fields.map((field, index) => [field, values[index]]));
        const target: AwsCallTarget = { service: chosen.service, operation: chosen.operation, input, accountId: '123456789012', region: 'eu-west-1' };
        let statements;
        try {
          statements = derivePermissions(target, { partition: 'aws' }).statements;
        } catch (err) {
          if (err instanceof AwsCallDerivationError) return; // refused: nothing widened
          throw err;
        }
        for (const statement of statements) {
          for (const action of statement.Action) expect(hasIamWildcard(action)).toBe(false);
          for (const resource of statement.Resource) {
            if (hasIamWildcard(resource)) expect(isOwnWildcard(resource)).toBe(true);
          }
        }
      }),
      fuzzParameters(2000),
    );
  });

  it('the params schema refuses, at the edge, a call whose input would bring a wildcard', () => {
    const result = awsCallParams.safeParse({
      service: 'dynamodb',
      operation: 'DeleteItem',
      input: { TableName: 'orders*', Key: { pk: { S: 'a' } } },
      accountId: '123456789012',
      region: 'eu-west-1',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/no least-privilege session policy: .*input.TableName must not contain \*/);
  });

  it('the params schema refuses a call whose whole session policy (with the recheck reads) would not fit STS', () => {
    // One 900-character key fits the DeleteObject statement, but not twice with the HeadObject read that binds it.
    const result = awsCallParams.safeParse({ service: 's3', operation: 'DeleteObject', input: { Bucket: 'reports', Key: 'k'.repeat(900) } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/would exceed the 2048-character STS limit/);
    expect(awsCallParams.safeParse({ service: 's3', operation: 'DeleteObject', input: { Bucket: 'reports', Key: 'k'.repeat(400) } }).success).toBe(true);
  });

  it('the params schema refuses an API operation the SDK client does not have', () => {
    const result = awsCallParams.safeParse({ service: 'sqs', operation: 'DropEverything', input: {} });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['operation'], message: '@aws-sdk/client-sqs has no API operation DropEverything' });
  });
});
