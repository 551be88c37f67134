import {
  policyDocument,
  PolicyDocumentError,
  readPolicyDocument,
  type PolicyInput,
  type PolicyStatementInput,
} from '../../../../operations/iam-policy-document';

const BUCKET = 'arn:aws:s3:::reports';

function doc(...statements: PolicyStatementInput[]): PolicyInput {
  return { Version: '2012-10-17', Statement: statements };
}

const read: PolicyStatementInput = { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${BUCKET}/*`] };

function refusals(value: unknown): string[] {
  const result = policyDocument.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('policyDocument schema', () => {
  test.each([
    ['one statement with lists', doc(read)],
    ['strings instead of lists', doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })],
    ['NotAction and NotResource', doc({ Effect: 'Deny', NotAction: ['iam:*'], NotResource: [`${BUCKET}/x`] })],
    ['wildcard actions', doc({ Effect: 'Allow', Action: ['*', 's3:Get*', 'ec2:Describe?pcs', 'execute-api:Invoke'], Resource: ['*'] })],
    [
      'conditions with strings, numbers, booleans and lists',
      doc({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `${BUCKET}/*`,
        Condition: {
          StringEquals: { 'aws:PrincipalTag/team': ['data', 'ops'] },
          NumericLessThan: { 's3:max-keys': 10 },
          Bool: { 'aws:SecureTransport': true },
          'ForAnyValue:StringLike': { 'aws:TagKeys': 'a*' },
        },
      }),
    ],
    ['an Id and several statements with distinct Sids', { ...doc(read, { ...read, Sid: 'Read2' }), Id: 'x' }],
    ['a resource ARN with spaces and colons in the last part', doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/a b:c/ü' })],
  ])('accepts %s', (_name, value) => {
    expect(refusals(value)).toEqual([]);
  });

  test.each([
    ['version 2008-10-17', { ...doc(read), Version: '2008-10-17' }, 'Version: Version must be "2012-10-17"'],
    ['a missing version', { Statement: [read] }, 'Version: Version must be "2012-10-17"'],
    ['no statements', doc(), 'Statement: Statement must list at least one statement'],
    ['a single statement object', { Version: '2012-10-17', Statement: read }, 'Statement: '],
    ['a Principal', doc({ ...read, Principal: { AWS: '*' } } as PolicyStatementInput), 'Statement.0: Unrecognized key: "Principal"'],
    ['both Action and NotAction', doc({ ...read, NotAction: ['s3:PutObject'] }), 'Statement.0.Action: statement must have exactly one of Action and NotAction'],
    ['neither Action nor NotAction', doc({ Effect: 'Allow', Resource: '*' }), 'Statement.0.Action: statement must have exactly one of Action and NotAction'],
    ['no Resource', doc({ Effect: 'Allow', Action: 's3:GetObject' }), 'Statement.0.Resource: statement must have exactly one of Resource and NotResource'],
    ['an action without a service', doc({ ...read, Action: ['GetObject'] }), 'Statement.0.Action'],
    ['an empty action list', doc({ ...read, Action: [] }), 'Statement.0.Action'],
    ['a resource that is not an ARN', doc({ ...read, Resource: ['reports/*'] }), 'Statement.0.Resource'],
    ['a resource with a newline', doc({ ...read, Resource: [`${BUCKET}/a\nb`] }), 'Statement.0.Resource'],
    ['Effect "allow"', doc({ ...read, Effect: 'allow' as 'Allow' }), 'Statement.0.Effect'],
    ['a Sid with a hyphen', doc({ ...read, Sid: 'read-all' }), 'Statement.0.Sid: Sid may contain only ASCII letters and digits'],
    ['duplicate Sids', doc(read, { ...read, Action: 's3:PutObject' }), 'Statement: each Sid must be unique within the policy'],
    ['a condition operator with spaces', doc({ ...read, Condition: { 'String Equals': { 'aws:x': 'y' } } }), 'Statement.0.Condition'],
    ['an unknown top-level element', { ...doc(read), Extra: 1 }, ': Unrecognized key: "Extra"'],
  ])('refuses %s', (_name, value, expected) => {
    const messages = refusals(value);
    expect(messages.some((message) => message.startsWith(expected))).toBe(true);
  });
});

describe('readPolicyDocument', () => {
  const original = doc({ Sid: 'A', Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/a b%+&ü*` });

  test('decodes the RFC 3986 URL-encoding IAM uses', () => {
    const encoded = encodeURIComponent(JSON.stringify(original)).replace(/\*/g, '%2A');
    expect(readPolicyDocument(encoded)).toEqual(original);
  });

  test('takes plain JSON as it is (some emulators do not encode), a `%` in it included', () => {
    expect(readPolicyDocument(`  ${JSON.stringify(original, null, 2)}\n`)).toEqual(original);
  });

  test('accepts a single statement object and ignores elements it does not use', () => {
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' } },
    });
    expect(readPolicyDocument(text)).toEqual({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sts:AssumeRole' } });
  });

  test.each([
    ['garbage', '%%%not json'],
    ['JSON that is not a policy', '{"Statement":[{"Effect":"Maybe"}]}'],
    ['empty text', ''],
  ])('refuses %s with a non-retryable PolicyDocumentError', (_name, text) => {
    let thrown: unknown;
    try {
      readPolicyDocument(text);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PolicyDocumentError);
    expect((thrown as PolicyDocumentError).name).toBe('UnreadablePolicyDocument');
    expect((thrown as PolicyDocumentError).$fault).toBe('client');
  });
});
