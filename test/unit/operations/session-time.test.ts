import { defaultCatalogue } from '../../../operations/catalogue';
import { ec2RunInstances, runInstancesParams } from '../../../operations/ec2/run-instances';
import { iamAttachRolePolicy } from '../../../operations/iam/attach-role-policy';
import { rolePolicyAttachmentParams } from '../../../operations/iam/attachment';
import { iamDetachRolePolicy } from '../../../operations/iam/detach-role-policy';
import { iamPutRolePolicy, putRolePolicyParams } from '../../../operations/iam/put-role-policy';
import { s3CopyObject } from '../../../operations/s3/copy-object';
import { s3ExportPrefix } from '../../../operations/s3/export-prefix';
import { CLOCK_SKEW_MARGIN_SECONDS, fitsSessionPolicyLimit, iamTime, runningTimeOf, sessionWindow, timeBoundPolicy } from '../../../operations/session-time';
import { MAX_SESSION_POLICY_CHARS, sessionPolicyText, type IamPolicyDocument } from '../../../operations/types';

const NOT_AFTER = new Date('2026-11-30T12:01:01Z');
/** The condition every statement gets, alone or next to the statement's own conditions. */
const BOUND = { DateLessThan: { 'aws:CurrentTime': '2026-11-30T12:01:01Z' } };

describe('the session window', () => {
  test('usable for the running time; AWS honours it for the clock skew margin more, rounded up to the second', () => {
    expect(sessionWindow(new Date('2026-11-30T12:00:00.250Z'), 30)).toEqual({
      issuedAt: new Date('2026-11-30T12:00:00.250Z'),
      usableUntil: new Date('2026-11-30T12:00:30.250Z'),
      notAfter: new Date('2026-11-30T12:01:01Z'),
    });
    expect(sessionWindow(new Date('2026-11-30T12:00:00Z'), 60).notAfter).toEqual(new Date('2026-11-30T12:01:30Z'));
    expect(CLOCK_SKEW_MARGIN_SECONDS).toBe(30);
  });

  test('IAM times are ISO 8601 in UTC to the second, always 20 characters', () => {
    expect(iamTime(new Date('2026-11-30T12:01:01.999Z'))).toBe('2026-11-30T12:01:01Z');
    expect(iamTime(new Date('2031-01-02T03:04:05Z'))).toHaveLength(20);
  });

  test('every built-in operation declares its running time; a copy lives about a minute', () => {
    const declared = Object.fromEntries(
      defaultCatalogue()
        .list()
        .map((operation) => [operation.name, operation.runningTimeSeconds]),
    );
    expect(declared).toEqual({
      'aws.call': 30,
      'dynamodb.exportTableToPointInTime': 30,
      'lambda.updateFunctionCode': 30,
      's3.putBucketPolicy': 30,
      'ec2.runInstances': 30,
      'iam.attachRolePolicy': 30,
      'iam.detachRolePolicy': 30,
      'iam.putRolePolicy': 30,
      's3.copyObject': 30,
      's3.exportPrefix': 60, // per batch: it renews its credentials batch by batch
    });
    const issuedAt = new Date('2026-11-30T12:00:00Z');
    const lifetime = (sessionWindow(issuedAt, runningTimeOf(s3CopyObject)).notAfter.getTime() - issuedAt.getTime()) / 1000;
    expect(lifetime).toBe(60);
  });

  test('an operation that declares nothing gets 30 s', () => {
    expect(runningTimeOf({})).toBe(30);
  });
});

describe('timeBoundPolicy', () => {
  const policy: IamPolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Plain', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::b/k'] },
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::b'], Condition: { StringEquals: { 's3:prefix': 'k' } } },
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::b/x'], Condition: { DateLessThan: { 'aws:EpochTime': '1' } } },
    ],
  };

  test("adds the bound to every statement and keeps each statement's own conditions", () => {
    expect(timeBoundPolicy(policy, NOT_AFTER)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Plain', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::b/k'], Condition: BOUND },
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::b'], Condition: { StringEquals: { 's3:prefix': 'k' }, ...BOUND } },
        {
          Effect: 'Allow',
          Action: ['s3:PutObject'],
          Resource: ['arn:aws:s3:::b/x'],
          Condition: { DateLessThan: { 'aws:EpochTime': '1', 'aws:CurrentTime': '2026-11-30T12:01:01Z' } },
        },
      ],
    });
    expect(policy.Statement[0]?.Condition).toBeUndefined(); // the operation's own document is left alone
  });

  test('an earlier bound a statement already has is kept; a later or unreadable one is replaced', () => {
    const withBound = (time: string): IamPolicyDocument => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::b/k'], Condition: { DateLessThan: { 'aws:CurrentTime': time } } }],
    });
    const boundOf = (document: IamPolicyDocument) => timeBoundPolicy(document, NOT_AFTER).Statement[0]?.Condition?.DateLessThan?.['aws:CurrentTime'];
    expect(boundOf(withBound('2026-11-30T12:00:10Z'))).toBe('2026-11-30T12:00:10Z');
    expect(boundOf(withBound('2026-12-30T12:00:00Z'))).toBe('2026-11-30T12:01:01Z');
    expect(boundOf(withBound('tomorrow'))).toBe('2026-11-30T12:01:01Z');
  });

  test('fitsSessionPolicyLimit counts the bound on every statement', () => {
    const statements = (count: number, key: string): IamPolicyDocument => ({
      Version: '2012-10-17',
      Statement: Array.from({ length: count }, () => ({ Effect: 'Allow' as const, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::b/${key}`] })),
    });
    let length = 1;
    while (sessionPolicyText(statements(2, 'k'.repeat(length + 1))).length <= MAX_SESSION_POLICY_CHARS) length += 1;
    const fitsBare = statements(2, 'k'.repeat(length));
    expect(sessionPolicyText(fitsBare).length).toBeLessThanOrEqual(MAX_SESSION_POLICY_CHARS);
    expect(fitsSessionPolicyLimit(fitsBare)).toBe(false);
    expect(fitsSessionPolicyLimit(statements(2, 'k'.repeat(length - 2 * 70)))).toBe(true);
  });
});

/**
 * The policies STS gets, statement by statement: each operation's own statements (asserted whole
 * in its own test file), each with the time bound added to its conditions and nothing else changed.
 */
describe("each operation's session policies as sent to STS", () => {
  const copy = { sourceBucket: 'airlock-source', sourceKey: 'reports/q3.csv', destinationBucket: 'airlock-exports', destinationKey: 'partner/q3.csv' };

  test('s3.copyObject: execute and preview (and recheck, which uses the preview policy)', () => {
    expect(timeBoundPolicy(s3CopyObject.sessionPolicy(copy, 'aws'), NOT_AFTER).Statement).toEqual([
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::airlock-source/reports/q3.csv'], Condition: BOUND },
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::airlock-exports/partner/q3.csv'], Condition: BOUND },
    ]);
    expect(timeBoundPolicy(s3CopyObject.previewPolicy(copy, 'aws'), NOT_AFTER).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::airlock-source/reports/q3.csv', 'arn:aws:s3:::airlock-exports/partner/q3.csv'],
        Condition: BOUND,
      },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::airlock-source'],
        Condition: { StringEquals: { 's3:prefix': 'reports/q3.csv' }, NumericLessThanEquals: { 's3:max-keys': '1' }, ...BOUND },
      },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::airlock-exports'],
        Condition: { StringEquals: { 's3:prefix': 'partner/q3.csv' }, NumericLessThanEquals: { 's3:max-keys': '1' }, ...BOUND },
      },
    ]);
  });

  test("s3.exportPrefix: execute (each batch's credential) and preview", () => {
    const params = s3ExportPrefix.params.parse({ sourceBucket: 'warehouse', sourcePrefix: 'd/', destinationBucket: 'drop', destinationPrefix: 'acme/' });
    expect(timeBoundPolicy(s3ExportPrefix.sessionPolicy(params, 'aws'), NOT_AFTER).Statement).toEqual([
      {
        Sid: 'ListSourcePrefix',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::warehouse'],
        Condition: { StringLike: { 's3:prefix': 'd/*' }, ...BOUND },
      },
      { Sid: 'ReadSourceObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::warehouse/d/*'], Condition: BOUND },
      {
        Sid: 'ListDestinationPrefix',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::drop'],
        Condition: { StringLike: { 's3:prefix': 'acme/*' }, ...BOUND },
      },
      {
        Sid: 'CheckAndWriteDestinationObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::drop/acme/*'],
        Condition: BOUND,
      },
    ]);
    expect(timeBoundPolicy(s3ExportPrefix.previewPolicy(params, 'aws'), NOT_AFTER).Statement).toEqual([
      {
        Sid: 'ListSourcePrefix',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::warehouse'],
        Condition: { StringLike: { 's3:prefix': 'd/*' }, ...BOUND },
      },
      {
        Sid: 'ListDestinationPrefix',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::drop'],
        Condition: { StringLike: { 's3:prefix': 'acme/*' }, ...BOUND },
      },
    ]);
  });

  test('iam.putRolePolicy: execute (the write and the read that checks the precondition) and preview', () => {
    const params = putRolePolicyParams.parse({
      accountId: '111122223333',
      roleName: 'ci-deployer',
      policyName: 'read',
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::r/*' }] },
    });
    const role = 'arn:aws:iam::111122223333:role/ci-deployer';
    expect(timeBoundPolicy(iamPutRolePolicy.sessionPolicy(params, 'aws'), NOT_AFTER).Statement).toEqual([
      { Effect: 'Allow', Action: ['iam:PutRolePolicy'], Resource: [role], Condition: BOUND },
      { Effect: 'Allow', Action: ['iam:GetRolePolicy'], Resource: [role], Condition: BOUND },
    ]);
    expect(timeBoundPolicy(iamPutRolePolicy.previewPolicy(params, 'aws'), NOT_AFTER).Statement).toEqual([
      { Effect: 'Allow', Action: ['iam:GetRole', 'iam:GetRolePolicy'], Resource: [role], Condition: BOUND },
    ]);
  });

  test.each([
    ['iam.attachRolePolicy', iamAttachRolePolicy, 'iam:AttachRolePolicy'],
    ['iam.detachRolePolicy', iamDetachRolePolicy, 'iam:DetachRolePolicy'],
  ])('%s: execute (the write and the reads that check the preconditions) and preview', (_name, operation, action) => {
    const params = rolePolicyAttachmentParams.parse({
      accountId: '111122223333',
      roleName: 'ci-deployer',
      policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
    const role = 'arn:aws:iam::111122223333:role/ci-deployer';
    const reads = [
      { Effect: 'Allow', Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'], Resource: ['arn:aws:iam::aws:policy/ReadOnlyAccess'], Condition: BOUND },
      { Effect: 'Allow', Action: ['iam:ListAttachedRolePolicies'], Resource: [role], Condition: BOUND },
    ];
    expect(timeBoundPolicy(operation.sessionPolicy(params, 'aws'), NOT_AFTER).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: [action],
        Resource: [role],
        Condition: { ArnEquals: { 'iam:PolicyARN': ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }, ...BOUND },
      },
      ...reads,
    ]);
    expect(timeBoundPolicy(operation.previewPolicy(params, 'aws'), NOT_AFTER).Statement).toEqual(reads);
  });

  test('ec2.runInstances: execute, its own conditions kept, and preview', () => {
    const params = runInstancesParams.parse({
      accountId: '111122223333',
      region: 'eu-west-1',
      imageId: 'ami-0abcdef1234567890',
      instanceType: 't3.micro',
      subnetId: 'subnet-0123456789abcdef0',
      count: 1,
      tags: { team: 'data' },
    });
    const arn = (type: string, id: string) => `arn:aws:ec2:eu-west-1:111122223333:${type}/${id}`;
    expect(timeBoundPolicy(ec2RunInstances.sessionPolicy(params, 'aws'), NOT_AFTER).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['ec2:RunInstances'],
        Resource: [arn('instance', '*')],
        Condition: { StringEquals: { 'ec2:InstanceType': 't3.micro' }, ...BOUND },
      },
      {
        Effect: 'Allow',
        Action: ['ec2:RunInstances'],
        Resource: [
          'arn:aws:ec2:eu-west-1::image/ami-0abcdef1234567890',
          arn('subnet', 'subnet-0123456789abcdef0'),
          arn('security-group', '*'),
          arn('network-interface', '*'),
          arn('volume', '*'),
        ],
        Condition: BOUND,
      },
      {
        Effect: 'Allow',
        Action: ['ec2:CreateTags'],
        Resource: [arn('instance', '*'), arn('volume', '*')],
        Condition: {
          StringEquals: { 'ec2:CreateAction': 'RunInstances', 'aws:RequestTag/team': 'data' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] },
          ...BOUND,
        },
      },
    ]);
    expect(timeBoundPolicy(ec2RunInstances.previewPolicy(params, 'aws'), NOT_AFTER).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['ec2:DescribeImages', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSubnets'],
        Resource: ['*'],
        Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' }, ...BOUND },
      },
    ]);
  });

  /** The largest n for which the schema accepts make(n), searched upward from `from`. */
  function longestAccepted(schema: { safeParse(value: unknown): { success: boolean } }, make: (n: number) => unknown, from: number): number {
    let n = from;
    while (schema.safeParse(make(n + 1)).success) n += 1;
    return n;
  }

  test('the longest params each schema accepts still fit STS with the bound on every statement', () => {
    const copyOf = (n: number) => ({ ...copy, sourceKey: 'a'.repeat(1024), destinationKey: 'b'.repeat(n) });
    const exportOf = (n: number) => ({ sourceBucket: 'warehouse', sourcePrefix: 'a'.repeat(n), destinationBucket: 'drop', destinationPrefix: 'b'.repeat(n) });
    const putOf = (n: number) => ({
      accountId: '111122223333',
      roleName: 'r'.repeat(64),
      rolePath: `/${'p'.repeat(n)}/`,
      policyName: 'read',
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::r/*' }] },
    });
    const policiesOf = <P>(
      operation: { sessionPolicy(p: P, partition: string): IamPolicyDocument; previewPolicy(p: P, partition: string): IamPolicyDocument },
      params: P,
    ) => [operation.sessionPolicy(params, 'aws-us-gov'), operation.previewPolicy(params, 'aws-us-gov')];
    const cases = [
      { longest: longestAccepted(s3CopyObject.params, copyOf, 1), policies: (n: number) => policiesOf(s3CopyObject, s3CopyObject.params.parse(copyOf(n))) },
      {
        longest: longestAccepted(s3ExportPrefix.params, exportOf, 1),
        policies: (n: number) => policiesOf(s3ExportPrefix, s3ExportPrefix.params.parse(exportOf(n))),
      },
      { longest: longestAccepted(putRolePolicyParams, putOf, 1), policies: (n: number) => policiesOf(iamPutRolePolicy, putRolePolicyParams.parse(putOf(n))) },
    ];
    for (const { longest, policies } of cases) {
      expect(longest).toBeGreaterThan(250); // long names still work
      for (const policy of policies(longest)) {
        expect(sessionPolicyText(timeBoundPolicy(policy, NOT_AFTER)).length).toBeLessThanOrEqual(MAX_SESSION_POLICY_CHARS);
      }
    }
  });

  test('prefixes too long for the bound policy are refused at the API, not after approval', () => {
    const result = s3ExportPrefix.params.safeParse({
      sourceBucket: 'warehouse',
      sourcePrefix: 'a'.repeat(1000),
      destinationBucket: 'drop',
      destinationPrefix: 'b'.repeat(1000),
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([expect.stringContaining('2048-character STS limit')]);
  });
});
