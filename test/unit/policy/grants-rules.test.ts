import { operationGrants } from '../../../activities/operation-grants';
import { awsCall } from '../../../operations/aws-call/operation';
import { defaultCatalogue } from '../../../operations/catalogue';
import type { Operation } from '../../../operations/types';
import { evaluatePolicy, parsePolicy, reviewOutlook, type EvaluationRequest } from '../../../policy';

const ACCOUNT = '123456789012';

/** The three rules: any Read auto-allowed, any Write to prod tables reviewed, any Permissions management denied. */
const policy = parsePolicy(
  `version: 1
groups:
  dba: [alice, bob]
rules:
  - id: deny-permissions-management
    match: { action: "*", grants: { accessLevel: Permissions management } }
    effect: deny
  - id: review-prod-table-writes
    match: { action: aws.call, grants: { accessLevel: Write, resource: "arn:aws:dynamodb:*:*:table/prod-*" } }
    effect: review
    review: { approvers: dba }
  - id: allow-reads
    match: { action: aws.call, grants: { accessLevel: [Read, List] } }
    effect: allow
`,
  'grants.yaml',
);

function decide(action: string, params: unknown, operation: Operation<unknown>): string {
  const parsed = operation.params.parse(params);
  const request: EvaluationRequest = {
    action,
    params: parsed as EvaluationRequest['params'],
    requester: { id: 'etl-bot', source: 'api' },
    grants: operationGrants(operation, parsed, 'aws'),
  };
  return evaluatePolicy(policy, request).ruleId;
}

const call = (operation: string, input: Record<string, unknown>) => ({ service: 'dynamodb', operation, input, accountId: ACCOUNT, region: 'eu-west-1' });
const aws = awsCall as Operation<unknown>;

describe('policy rules on grants (access level, IAM action, resource)', () => {
  it('a Read call is allowed; a Write to a prod table is reviewed; a Write elsewhere falls to the default', () => {
    expect(decide('aws.call', call('GetItem', { TableName: 'prod-orders', Key: { pk: { S: 'a' } } }), aws)).toBe('allow-reads');
    expect(decide('aws.call', call('DeleteItem', { TableName: 'prod-orders', Key: { pk: { S: 'a' } } }), aws)).toBe('review-prod-table-writes');
    expect(decide('aws.call', call('DeleteItem', { TableName: 'dev-orders', Key: { pk: { S: 'a' } } }), aws)).toBe('default');
  });

  it('Permissions management is denied, for aws.call and for built-in operations alike', () => {
    expect(
      decide(
        'aws.call',
        { service: 'iam', operation: 'PutRolePolicy', input: { RoleName: 'app', PolicyName: 'p', PolicyDocument: '{}' }, accountId: ACCOUNT },
        aws,
      ),
    ).toBe('deny-permissions-management');
    const putRolePolicy = defaultCatalogue().get('iam.putRolePolicy') as Operation<unknown>;
    const params = {
      accountId: ACCOUNT,
      roleName: 'app',
      policyName: 'p',
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' }] },
    };
    expect(decide('iam.putRolePolicy', params, putRolePolicy)).toBe('deny-permissions-management');
  });

  it('an allow rule needs every grant to match: a call that reads and writes is not "a Read"', () => {
    const copy = defaultCatalogue().get('s3.copyObject') as Operation<unknown>;
    const readsOnly = parsePolicy(
      `version: 1
rules:
  - id: allow-reads
    match: { action: "*", grants: { accessLevel: Read } }
    effect: allow
  - id: review-writes
    match: { action: "*", grants: { accessLevel: Write } }
    effect: review
    review: { approvers: dba }
groups:
  dba: [alice]
`,
      'reads.yaml',
    );
    const params = copy.params.parse({ sourceBucket: 'src-bucket', sourceKey: 'k', destinationBucket: 'dst-bucket', destinationKey: 'k' });
    const grants = operationGrants(copy, params, 'aws');
    expect(grants.map((grant) => `${grant.accessLevel} ${grant.iamAction}`)).toEqual(['Read s3:GetObject', 'Write s3:PutObject']);
    const request = { action: 's3.copyObject', params: params as EvaluationRequest['params'], requester: { id: 'etl-bot', source: 'api' as const }, grants };
    expect(evaluatePolicy(readsOnly, request).ruleId).toBe('review-writes');
  });

  it('IAM action globs are case-insensitive, as IAM is; a request without grants matches no grants rule', () => {
    const byAction = parsePolicy(
      `version: 1
rules:
  - id: deny-deletes
    match: { action: "*", grants: { iamAction: "DynamoDB:Delete*" } }
    effect: deny
default: { effect: allow }
`,
      'actions.yaml',
    );
    const grants = [{ iamAction: 'dynamodb:DeleteItem', accessLevel: 'Write' as const, resource: 'arn:aws:dynamodb:eu-west-1:1:table/t' }];
    const base = { action: 'aws.call', params: {}, requester: { id: 'etl-bot', source: 'api' as const } };
    expect(evaluatePolicy(byAction, { ...base, grants }).ruleId).toBe('deny-deletes');
    expect(evaluatePolicy(byAction, base).ruleId).toBe('default');
  });

  it('the catalogue cannot tell the outcome of a rule on grants before params are chosen', () => {
    expect(reviewOutlook(policy, 'aws.call', 'etl-bot')).toBe('depends_on_params');
  });

  it('a grants matcher that tests nothing, or an unknown access level, is a load error naming the field', () => {
    const load = (grants: string) =>
      parsePolicy(`version: 1\nrules:\n  - id: r\n    match: { action: "*", grants: ${grants} }\n    effect: deny\n`, 'bad.yaml');
    expect(() => load('{}')).toThrow(/rules\[0\]\.match\.grants.*at least one of accessLevel, iamAction, resource/s);
    expect(() => load('{ accessLevel: Admin }')).toThrow(/rules\[0\]\.match\.grants\.accessLevel.*one of List, Read, Write, Permissions management, Tagging/s);
  });
});
