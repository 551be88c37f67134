import { s3CopySource, s3ObjectArn } from '../../../../operations/arn';
import { copyObjectParams, s3CopyObject, type CopyObjectParams } from '../../../../operations/s3/copy-object';
import { MAX_SESSION_POLICY_CHARS, sessionPolicyText, type IamPolicyDocument } from '../../../../operations/types';

const good: CopyObjectParams = {
  sourceBucket: 'airlock-source',
  sourceKey: 'reports/2026-q3.csv',
  destinationBucket: 'airlock-exports',
  destinationKey: 'partner/2026-q3.csv',
};

/** The messages zod gives for `params`, or [] when accepted. */
function refusals(params: unknown): string[] {
  const result = copyObjectParams.safeParse(params);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function everyActionAndResource(policy: IamPolicyDocument): string[] {
  return policy.Statement.flatMap((statement) => [...statement.Action, ...statement.Resource]);
}

describe('s3.copyObject params', () => {
  test.each([
    ['plain keys', good],
    ['bucket names with dots and hyphens, 3 and 63 chars', { ...good, sourceBucket: 'a.b', destinationBucket: `b-${'x'.repeat(60)}1` }],
    ['keys with spaces, unicode, +, %, &, =, and a trailing slash', { ...good, sourceKey: 'Q3 (final)/ü+100%&a=b/', destinationKey: 'über/ß.csv' }],
    ['same key in another bucket', { ...good, destinationKey: good.sourceKey }],
    ['a key of exactly 1024 bytes in UTF-8', { ...good, sourceKey: 'é'.repeat(100) + 'a'.repeat(824) }],
    ['a `$` not followed by `{`', { ...good, sourceKey: 'cost$/q3$.csv' }],
  ])('accepts %s', (_name, params) => {
    expect(refusals(params)).toEqual([]);
  });

  test.each([
    ['`*` in the source key', { sourceKey: 'reports/*' }, 'sourceKey: object key must not contain "*"'],
    ['`*` in the destination key', { destinationKey: '*' }, 'destinationKey: object key must not contain "*"'],
    ['`?` in a key', { sourceKey: 'reports/2026-q?.csv' }, 'sourceKey: object key must not contain "?"'],
    ['a policy variable in a key', { destinationKey: 'home/${aws:username}/x' }, 'destinationKey: object key must not contain "${"'],
    ['an empty key', { sourceKey: '' }, 'sourceKey: object key must not be empty'],
    ['a key over 1024 bytes', { sourceKey: 'é'.repeat(513) }, 'sourceKey: object key must be at most 1024 bytes'],
    ['a control character in a key', { sourceKey: 'a\nb' }, 'sourceKey: object key must not contain control characters'],
    ['a lone surrogate in a key', { sourceKey: 'a\uD800b' }, 'sourceKey: object key must be valid Unicode'],
    ['an upper-case bucket', { sourceBucket: 'Airlock-Source' }, 'sourceBucket: bucket name may contain only'],
    ['a bucket with an underscore', { sourceBucket: 'airlock_source' }, 'sourceBucket: bucket name may contain only'],
    ['a wildcard bucket', { destinationBucket: 'airlock-*' }, 'destinationBucket: bucket name may contain only'],
    ['a bucket starting with a hyphen', { sourceBucket: '-airlock' }, 'sourceBucket: bucket name may contain only'],
    ['a bucket ending with a dot', { sourceBucket: 'airlock.' }, 'sourceBucket: bucket name may contain only'],
    ['a two-character bucket', { sourceBucket: 'ab' }, 'sourceBucket: bucket name must be 3 to 63'],
    ['a 64-character bucket', { sourceBucket: 'a'.repeat(64) }, 'sourceBucket: bucket name must be 3 to 63'],
    ['adjacent dots', { sourceBucket: 'air..lock' }, 'sourceBucket: bucket name must not contain two adjacent dots'],
    ['an IP-like bucket', { destinationBucket: '192.168.5.4' }, 'destinationBucket: bucket name must not be formatted as an IP address'],
    ['a reserved prefix', { destinationBucket: 'xn--airlock' }, 'destinationBucket: bucket name must not start with'],
    ['a reserved suffix', { destinationBucket: 'airlock-s3alias' }, 'destinationBucket: bucket name must not end with'],
    ['a bucket ARN instead of a name', { sourceBucket: 'arn:aws:s3:::airlock' }, 'sourceBucket: bucket name may contain only'],
    [
      'copying an object onto itself',
      { destinationBucket: good.sourceBucket, destinationKey: good.sourceKey },
      'destinationKey: destination must differ from source',
    ],
  ])('refuses %s', (_name, change, expected) => {
    const messages = refusals({ ...good, ...change });
    expect(messages.some((message) => message.startsWith(expected))).toBe(true);
  });

  test('refuses extra fields (strict object)', () => {
    expect(refusals({ ...good, acl: 'public-read' })).toEqual([expect.stringContaining('Unrecognized key')]);
    expect(refusals({ ...good, sourceVersionId: 'v1' })).not.toEqual([]);
  });

  test('refuses missing fields and wrong types', () => {
    const { destinationKey: _omitted, ...missing } = good;
    expect(refusals(missing)).toEqual([expect.stringMatching(/^destinationKey: /)]);
    expect(refusals({ ...good, sourceKey: 42 })).toEqual([expect.stringMatching(/^sourceKey: /)]);
    expect(refusals(null)).not.toEqual([]);
  });

  test('refuses names that together would not fit the STS session policy limit', () => {
    const long = { ...good, sourceKey: 'a'.repeat(1000), destinationKey: 'b'.repeat(1000) };
    expect(refusals(long)).toEqual([expect.stringContaining('2048-character STS limit')]);
    // Each alone is fine.
    expect(refusals({ ...good, sourceKey: 'a'.repeat(1000) })).toEqual([]);
  });
});

describe('s3.copyObject session policy', () => {
  test('is exactly GetObject on the source object and PutObject on the destination object', () => {
    expect(s3CopyObject.sessionPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::airlock-source/reports/2026-q3.csv'] },
        { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::airlock-exports/partner/2026-q3.csv'] },
      ],
    });
  });

  test('uses the partition it is given', () => {
    expect(s3CopyObject.sessionPolicy({ ...good, sourceKey: 'a', destinationKey: 'b' }, 'aws-cn')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws-cn:s3:::airlock-source/a'] },
        { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws-cn:s3:::airlock-exports/b'] },
      ],
    });
    expect(s3CopyObject.sessionPolicy(good, 'aws-us-gov').Statement[0]?.Resource).toEqual(['arn:aws-us-gov:s3:::airlock-source/reports/2026-q3.csv']);
  });

  test('puts keys in the ARN literally, special characters included', () => {
    const params = copyObjectParams.parse({ ...good, sourceKey: 'Q3 (final)/ü+100%.csv', destinationKey: 'x/y z/' });
    expect(s3CopyObject.sessionPolicy(params, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::airlock-source/Q3 (final)/ü+100%.csv'] },
        { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::airlock-exports/x/y z/'] },
      ],
    });
  });

  test('copying within one bucket still names two objects, not the bucket', () => {
    const params = { ...good, destinationBucket: good.sourceBucket, destinationKey: 'copies/2026-q3.csv' };
    expect(s3CopyObject.sessionPolicy(params, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::airlock-source/reports/2026-q3.csv'] },
        { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::airlock-source/copies/2026-q3.csv'] },
      ],
    });
  });

  test.each([
    ['plain', good],
    ['unicode and spaces', { ...good, sourceKey: 'ü/ß q.csv', destinationKey: 'über/$x' }],
    ['one-character keys', { ...good, sourceKey: 'a', destinationKey: 'b' }],
  ])('has no wildcard, policy variable, Deny, NotAction, NotResource or Condition (%s)', (_name, params) => {
    const parsed = copyObjectParams.parse(params);
    const policy = s3CopyObject.sessionPolicy(parsed, 'aws');
    for (const value of everyActionAndResource(policy)) {
      expect(value).not.toContain('*');
      expect(value).not.toContain('?');
      expect(value).not.toContain('${');
    }
    expect(policy.Statement).toHaveLength(2);
    for (const statement of policy.Statement) {
      expect(Object.keys(statement).sort()).toEqual(['Action', 'Effect', 'Resource']);
      expect(statement.Effect).toBe('Allow');
      expect(statement.Action).toHaveLength(1);
      expect(statement.Resource).toHaveLength(1);
    }
  });

  test('refuses a partition that is not one', () => {
    expect(() => s3CopyObject.sessionPolicy(good, '*')).toThrow(/invalid AWS partition/);
    expect(() => s3CopyObject.sessionPolicy(good, 'aws:s3:::*')).toThrow(/invalid AWS partition/);
    expect(() => s3ObjectArn('', 'b', 'k')).toThrow(/invalid AWS partition/);
  });
});

describe('session policy text', () => {
  test('is compact JSON that parses back to the same document', () => {
    const policy = s3CopyObject.sessionPolicy(good, 'aws');
    const text = sessionPolicyText(policy);
    expect(text).not.toMatch(/\s/);
    expect(JSON.parse(text)).toEqual(policy);
    expect(text.length).toBeLessThanOrEqual(MAX_SESSION_POLICY_CHARS);
  });

  test('writes non-ASCII characters as \\u escapes, the only form STS accepts for them', () => {
    const params = copyObjectParams.parse({ ...good, sourceKey: 'über/日本/😀.csv' });
    const policy = s3CopyObject.sessionPolicy(params, 'aws');
    const text = sessionPolicyText(policy);
    expect(text).toMatch(/^[\x20-\x7e]+$/);
    expect(text).toContain('\\u00fcber/\\u65e5\\u672c/\\ud83d\\ude00.csv');
    expect(JSON.parse(text)).toEqual(policy);
  });
});

describe('s3.copyObject entry', () => {
  test('is idempotent and summarizes exactly what will happen', () => {
    expect(s3CopyObject.name).toBe('s3.copyObject');
    expect(s3CopyObject.idempotent).toBe(true);
    expect(s3CopyObject.summarize(good)).toBe('copy s3://airlock-source/reports/2026-q3.csv to s3://airlock-exports/partner/2026-q3.csv');
  });

  test('encodes the copy source as a URL path, keeping the slashes', () => {
    expect(s3CopySource('airlock-source', 'reports/2026-q3.csv')).toBe('airlock-source/reports/2026-q3.csv');
    expect(s3CopySource('b', "Q3 (final)/ü+100%&a=b#!'.csv")).toBe('b/Q3%20%28final%29/%C3%BC%2B100%25%26a%3Db%23%21%27.csv');
    expect(s3CopySource('b', 'a//b/')).toBe('b/a//b/');
  });
});
