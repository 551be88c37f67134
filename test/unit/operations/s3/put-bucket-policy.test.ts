import { GetBucketPolicyCommand, GetPublicAccessBlockCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { LONGEST_PARTITION } from '../../../../operations/arn';
import { PreconditionFailedError, jsonDigest } from '../../../../operations/preconditions';
import { canonicalPolicyDigest, MAX_BUCKET_POLICY_BYTES, type BucketStatementInput } from '../../../../operations/bucket-policy-document';
import { diffBucketPolicies } from '../../../../operations/bucket-policy-diff';
import type { S3Sender } from '../../../../operations/s3/client';
import { grantsPublicAccess, statementGrantsPublicAccess } from '../../../../operations/bucket-policy-public';
import {
  findPutBucketPolicyApplied,
  previewPutBucketPolicy,
  putAsPreviewed,
  putBucketPolicyParams,
  s3PutBucketPolicy,
  type PutBucketPolicyParams,
} from '../../../../operations/s3/put-bucket-policy';
import { fitsSessionPolicyLimit } from '../../../../operations/session-time';
import type { IamPolicyDocument } from '../../../../operations/types';
import { operationProblem } from '../../../../operations/user-operations';

const BUCKET = 'airlock-exports';
const BUCKET_ARN = 'arn:aws:s3:::airlock-exports';

const partnerRead = {
  Sid: 'PartnerRead',
  Effect: 'Allow' as const,
  Principal: { AWS: 'arn:aws:iam::444455556666:role/partner-reader' },
  Action: ['s3:GetObject'],
  Resource: [`${BUCKET_ARN}/partner/*`],
};
const denyInsecure = {
  Sid: 'DenyInsecure',
  Effect: 'Deny' as const,
  Principal: '*' as const,
  Action: 's3:*',
  Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const publicRead = { Sid: 'PublicRead', Effect: 'Allow' as const, Principal: '*' as const, Action: 's3:GetObject', Resource: `${BUCKET_ARN}/public/*` };

const good: PutBucketPolicyParams = { bucket: BUCKET, policy: { Version: '2012-10-17', Statement: [partnerRead] } };

function params(policyStatements: unknown[], extra: Record<string, unknown> = {}): PutBucketPolicyParams {
  return putBucketPolicyParams.parse({ bucket: BUCKET, policy: { Version: '2012-10-17', Statement: policyStatements }, ...extra });
}

/** The messages zod gives for `params`, or [] when accepted. */
function refusals(value: unknown): string[] {
  const result = putBucketPolicyParams.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function everyActionAndResource(policy: IamPolicyDocument): string[] {
  return policy.Statement.flatMap((statement) => [...statement.Action, ...statement.Resource]);
}

/** An error as the S3 client throws it: a name (the S3 error code) and an HTTP status. */
function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

type Handler = (input: Record<string, unknown>) => unknown;

/** A stand-in for S3: answers each command by its class name, throws what a handler throws, records every call. */
function fakeS3(handlers: { [command: string]: Handler }): { s3: S3Sender; calls: { name: string; input: Record<string, unknown> }[] } {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    calls.push({ name, input: command.input });
    const handler = handlers[name];
    if (!handler) throw new Error(`unexpected ${name}`);
    return handler(command.input);
  };
  // The SDK's overloaded `send` cannot be written as one function type; the fake honours the calls used.
  return { s3: { send } as unknown as S3Sender, calls };
}

/** S3 holding `policy` (as JSON text) or none, and a public access block (or none). */
function bucketWith(policy: unknown, block?: { BlockPublicPolicy: boolean } | Error): ReturnType<typeof fakeS3> {
  return fakeS3({
    GetBucketPolicyCommand: () => {
      if (policy === undefined) throw s3Error('NoSuchBucketPolicy', 404);
      return { Policy: typeof policy === 'string' ? policy : JSON.stringify(policy) };
    },
    GetPublicAccessBlockCommand: () => {
      if (block instanceof Error) throw block;
      if (block === undefined) throw s3Error('NoSuchPublicAccessBlockConfiguration', 404);
      return { PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, RestrictPublicBuckets: false, ...block } };
    },
    PutBucketPolicyCommand: () => ({}),
  });
}

describe('s3.putBucketPolicy policies', () => {
  test('the session policy is exactly s3:PutBucketPolicy and s3:GetBucketPolicy, each on exactly the bucket', () => {
    expect(s3PutBucketPolicy.sessionPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:PutBucketPolicy'], Resource: [BUCKET_ARN] },
        { Effect: 'Allow', Action: ['s3:GetBucketPolicy'], Resource: [BUCKET_ARN] },
      ],
    });
  });

  test('the preview policy only reads the bucket policy and public access block, on exactly the bucket', () => {
    expect(s3PutBucketPolicy.previewPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock'], Resource: [BUCKET_ARN] }],
    });
  });

  test('another partition goes into the ARN', () => {
    expect(s3PutBucketPolicy.sessionPolicy(good, 'aws-cn').Statement.map((s) => s.Resource)).toEqual([
      ['arn:aws-cn:s3:::airlock-exports'],
      ['arn:aws-cn:s3:::airlock-exports'],
    ]);
    expect(s3PutBucketPolicy.previewPolicy(good, 'aws-us-gov').Statement[0]?.Resource).toEqual(['arn:aws-us-gov:s3:::airlock-exports']);
  });

  test('the requested document, however wide, is part of neither policy', () => {
    const wide = params([{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }]);
    expect(s3PutBucketPolicy.sessionPolicy(wide, 'aws')).toEqual(s3PutBucketPolicy.sessionPolicy(good, 'aws'));
    expect(s3PutBucketPolicy.previewPolicy(wide, 'aws')).toEqual(s3PutBucketPolicy.previewPolicy(good, 'aws'));
  });

  test('no wildcard, no condition of its own, and fits STS with the time bound for the longest bucket name', () => {
    const longest = { ...good, bucket: `b${'x'.repeat(61)}1` };
    for (const policy of [s3PutBucketPolicy.sessionPolicy(longest, LONGEST_PARTITION), s3PutBucketPolicy.previewPolicy(longest, LONGEST_PARTITION)]) {
      for (const value of everyActionAndResource(policy)) expect(value).not.toMatch(/[*?]|\$\{/);
      expect(policy.Statement.every((s) => s.Effect === 'Allow' && s.Condition === undefined)).toBe(true);
      expect(fitsSessionPolicyLimit(policy)).toBe(true);
    }
  });

  test('refuses a partition that is not one', () => {
    expect(() => s3PutBucketPolicy.sessionPolicy(good, '*')).toThrow(/invalid AWS partition/);
  });

  test('passes the check Airlock applies to operations it loads (examples, hostile variants, policy shape)', () => {
    expect(operationProblem(s3PutBucketPolicy, new Set())).toBeUndefined();
  });
});

describe('s3.putBucketPolicy params', () => {
  test.each([
    ['a plain request', good],
    ['an expected bucket owner', { ...good, expectedBucketOwner: '111122223333' }],
    ['single values, NotPrincipal, conditions and an Id', { bucket: BUCKET, policy: { Version: '2012-10-17', Id: 'p1', Statement: [denyInsecure] } }],
    [
      'every principal type',
      {
        ...good,
        policy: {
          Version: '2012-10-17',
          Statement: [{ ...partnerRead, Principal: { AWS: ['111122223333'], Service: 'logging.s3.amazonaws.com', CanonicalUser: 'abc', Federated: 'x' } }],
        },
      },
    ],
    ['a policy of exactly 20 KB', { ...good, policy: policyOfBytes(MAX_BUCKET_POLICY_BYTES) }],
  ])('accepts %s', (_name, value) => {
    expect(refusals(value)).toEqual([]);
  });

  test.each([
    ['a wildcard in the bucket', { bucket: 'airlock-*' }, 'bucket: bucket name may contain only'],
    ['a policy variable in the bucket', { bucket: '${aws:username}' }, 'bucket: bucket name may contain only'],
    ['a bucket ARN', { bucket: BUCKET_ARN }, 'bucket: bucket name may contain only'],
    ['a policy over 20 KB', { policy: policyOfBytes(MAX_BUCKET_POLICY_BYTES + 1) }, 'policy: policy is too large: S3 allows 20480 bytes'],
    ['a policy as a JSON string', { policy: JSON.stringify(good.policy) }, 'policy: policy must be a JSON object with Version and Statement'],
    ['a policy that is a list', { policy: [good.policy] }, 'policy: policy must be a JSON object'],
    ['a null policy', { policy: null }, 'policy: policy must be a JSON object'],
    ['no Version', { policy: { Statement: [partnerRead] } }, 'policy.Version: Version must be "2012-10-17"'],
    ['the 2008 Version', { policy: { Version: '2008-10-17', Statement: [partnerRead] } }, 'policy.Version: Version must be "2012-10-17"'],
    ['no Statement', { policy: { Version: '2012-10-17' } }, 'policy.Statement: Statement must be a list of statements'],
    ['an empty Statement', { policy: { Version: '2012-10-17', Statement: [] } }, 'policy.Statement: Statement must list at least one statement'],
    ['an unknown top-level element', { policy: { ...good.policy, Extra: 1 } }, 'policy: Unrecognized key: "Extra"'],
    [
      'a statement without a Principal',
      { policy: { Version: '2012-10-17', Statement: [{ ...partnerRead, Principal: undefined }] } },
      'policy.Statement.0.Principal: statement must have exactly one of Principal and NotPrincipal',
    ],
    [
      'Action and NotAction',
      { policy: { Version: '2012-10-17', Statement: [{ ...partnerRead, NotAction: 's3:PutObject' }] } },
      'policy.Statement.0.Action: statement must have exactly one of Action and NotAction',
    ],
    [
      'no Resource',
      { policy: { Version: '2012-10-17', Statement: [{ ...partnerRead, Resource: undefined }] } },
      'policy.Statement.0.Resource: statement must have exactly one of Resource and NotResource',
    ],
    ['a bad action', { policy: { Version: '2012-10-17', Statement: [{ ...partnerRead, Action: 'GetObject' }] } }, 'policy.Statement.0.Action'],
    ['an Effect of neither', { policy: { Version: '2012-10-17', Statement: [{ ...partnerRead, Effect: 'Permit' }] } }, 'policy.Statement.0.Effect'],
    ['an empty principal map', { policy: { Version: '2012-10-17', Statement: [{ ...partnerRead, Principal: {} }] } }, 'policy.Statement.0.Principal'],
    [
      'a control character in a resource',
      { policy: { Version: '2012-10-17', Statement: [{ ...partnerRead, Resource: 'arn:aws:s3:::a\nb' }] } },
      'policy.Statement.0.Resource',
    ],
    [
      'two statements with one Sid',
      { policy: { Version: '2012-10-17', Statement: [partnerRead, { ...publicRead, Sid: 'PartnerRead' }] } },
      'policy.Statement: each Sid must be unique',
    ],
    [
      'an expected owner that is not an account id',
      { expectedBucketOwner: '1111-2222-3333' },
      'expectedBucketOwner: expectedBucketOwner must be a 12-digit AWS account id',
    ],
  ])('refuses %s', (_name, change, expected) => {
    const messages = refusals({ ...good, ...change });
    expect(messages.some((message) => message.startsWith(expected))).toBe(true);
  });

  test('refuses extra and missing fields', () => {
    expect(refusals({ ...good, acl: 'public-read' })).toEqual([': Unrecognized key: "acl"']);
    expect(refusals({ policy: good.policy })).toEqual([expect.stringMatching(/^bucket: /)]);
    expect(refusals({ bucket: BUCKET })).toEqual([expect.stringMatching(/^policy: /)]);
  });
});

/** A one-statement policy whose compact JSON is exactly `bytes` long. */
function policyOfBytes(bytes: number): PutBucketPolicyParams['policy'] {
  const base = { Version: '2012-10-17' as const, Statement: [{ ...partnerRead, Resource: [`${BUCKET_ARN}/`] }] };
  const padding = bytes - JSON.stringify(base).length;
  const policy = { ...base, Statement: [{ ...partnerRead, Resource: [`${BUCKET_ARN}/${'k'.repeat(padding)}`] }] };
  expect(JSON.stringify(policy).length).toBe(bytes);
  return policy;
}

describe('public access detection', () => {
  const allowAll = { Effect: 'Allow' as const, Action: 's3:GetObject', Resource: `${BUCKET_ARN}/*` };
  test.each<[string, boolean, BucketStatementInput]>([
    ['Principal "*"', true, { ...allowAll, Principal: '*' }],
    ['{"AWS": "*"}', true, { ...allowAll, Principal: { AWS: '*' } }],
    ['"*" among other AWS principals', true, { ...allowAll, Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } }],
    ['NotPrincipal with Allow (everyone but those named)', true, { ...allowAll, NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } }],
    ['a fixed account principal', false, { ...allowAll, Principal: { AWS: 'arn:aws:iam::111122223333:root' } }],
    ['a service principal', false, { ...allowAll, Principal: { Service: 'logging.s3.amazonaws.com' } }],
    ['"*" as a Deny', false, { ...allowAll, Effect: 'Deny', Principal: '*' }],
    ['"*" with aws:SourceAccount', false, { ...allowAll, Principal: '*', Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } }],
    ['"*" with aws:PrincipalOrgID (any key case)', false, { ...allowAll, Principal: '*', Condition: { StringEquals: { 'aws:principalorgid': 'o-abc123' } } }],
    ['"*" with aws:SourceVpce', false, { ...allowAll, Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c' } } }],
    [
      '"*" with aws:SourceArn (ArnLike, no wildcard)',
      false,
      { ...allowAll, Principal: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/E1' } } },
    ],
    [
      '"*" with aws:PrincipalAccount as a number',
      false,
      { ...allowAll, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': 111122223333 } } },
    ],
    ['"*" with a /24 aws:SourceIp', false, { ...allowAll, Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/48'] } } }],
    ['"*" with 0.0.0.0/0', true, { ...allowAll, Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } }],
    ['"*" with a /4 among narrow blocks', true, { ...allowAll, Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '0.0.0.0/4'] } } }],
    ['"*" with a wildcard aws:SourceVpc', true, { ...allowAll, Principal: '*', Condition: { StringLike: { 'aws:SourceVpc': 'vpc-*' } } }],
    ['"*" with a policy variable', true, { ...allowAll, Principal: '*', Condition: { StringEquals: { 'aws:SourceAccount': '${aws:PrincipalAccount}' } } }],
    ['"*" with an IfExists condition', true, { ...allowAll, Principal: '*', Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '111122223333' } } }],
    ['"*" with a negated condition', true, { ...allowAll, Principal: '*', Condition: { StringNotEquals: { 'aws:SourceAccount': '111122223333' } } }],
    ['"*" with a set operator', true, { ...allowAll, Principal: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123' } } }],
    ['"*" with a condition on who-agnostic keys only', true, { ...allowAll, Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
    [
      '"*" with aws:Referer (spoofable, not in S3\'s list)',
      true,
      { ...allowAll, Principal: '*', Condition: { StringEquals: { 'aws:Referer': 'https://example.com' } } },
    ],
    [
      '"*" with a restricting key beside another condition',
      false,
      { ...allowAll, Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceVpc': 'vpc-1' } } },
    ],
  ])('%s → public: %s', (_name, expected, statement) => {
    expect(statementGrantsPublicAccess(statement)).toBe(expected);
    expect(grantsPublicAccess({ Version: '2012-10-17', Statement: [partnerRead, statement] })).toBe(expected);
  });

  test('a document given as one statement object (as S3 allows) is read too', () => {
    expect(grantsPublicAccess({ Statement: publicRead })).toBe(true);
    expect(grantsPublicAccess({ Statement: partnerRead })).toBe(false);
  });
});

describe('comparing bucket policies', () => {
  test('a Sid-only change is unchanged; a changed principal is removed and added; duplicates count', () => {
    const diff = diffBucketPolicies(
      { Version: '2012-10-17', Statement: [partnerRead, denyInsecure, denyInsecure] },
      { Version: '2012-10-17', Statement: [{ ...partnerRead, Sid: 'Renamed' }, { ...denyInsecure, Principal: { AWS: '*' } }, publicRead, denyInsecure] },
    );
    expect(diff.unchanged).toBe(2);
    expect(diff.added.map((a) => [a.statement.Sid, a.position])).toEqual([
      ['DenyInsecure', 2],
      ['PublicRead', 3],
    ]);
    expect(diff.removed.map((r) => r.position)).toEqual([3]);
    expect(diffBucketPolicies(undefined, { Statement: [publicRead] })).toEqual({ added: [{ statement: publicRead, position: 1 }], removed: [], unchanged: 0 });
  });

  test('the canonical digest ignores spelling S3 may change, not meaning', () => {
    const written = { Version: '2012-10-17', Statement: [{ ...partnerRead, Principal: { AWS: '444455556666' }, Action: 's3:GetObject' }, denyInsecure] };
    const readBack = {
      Version: '2012-10-17',
      Statement: [denyInsecure, { ...partnerRead, Principal: { AWS: ['arn:aws:iam::444455556666:root'] }, Action: ['S3:GetObject'] }],
    };
    expect(canonicalPolicyDigest(readBack)).toBe(canonicalPolicyDigest(written));
    expect(canonicalPolicyDigest({ ...written, Statement: [partnerRead, denyInsecure] })).not.toBe(canonicalPolicyDigest(written));
    expect(canonicalPolicyDigest({ ...written, Id: 'other' })).not.toBe(canonicalPolicyDigest(written));
    expect(canonicalPolicyDigest({ ...written, Statement: [written.Statement[0]!, { ...denyInsecure, Sid: 'Other' }] })).not.toBe(
      canonicalPolicyDigest(written),
    );
  });
});

describe('s3.putBucketPolicy entry', () => {
  test('is idempotent, binds to its preview, and summarizes exactly what will happen', () => {
    expect(s3PutBucketPolicy.name).toBe('s3.putBucketPolicy');
    expect(s3PutBucketPolicy.idempotent).toBe(true);
    expect(s3PutBucketPolicy.sensitiveParams).toEqual(['policy']);
    expect(s3PutBucketPolicy.summarize(good)).toBe('replace the bucket policy of s3://airlock-exports (1 statement)');
    expect(s3PutBucketPolicy.summarize(params([partnerRead, denyInsecure, publicRead], { expectedBucketOwner: '111122223333' }))).toBe(
      'replace the bucket policy of s3://airlock-exports (owned by account 111122223333) (3 statements, public)',
    );
  });
});

describe('s3.putBucketPolicy preview', () => {
  test('a bucket with no policy: every statement added, bound to null', async () => {
    const { s3, calls } = bucketWith(undefined);
    const preview = await previewPutBucketPolicy(good, s3);
    expect(calls.map((call) => call.name).sort()).toEqual([GetBucketPolicyCommand.name, GetPublicAccessBlockCommand.name]);
    expect(preview.facts).toEqual({
      bucketExists: true,
      policyExists: false,
      statements: 1,
      addedStatements: 1,
      removedStatements: 0,
      unchangedStatements: 0,
      grantsPublicAccess: false,
      currentlyGrantsPublicAccess: false,
      blockPublicPolicy: false,
      refusedByPublicAccessBlock: false,
    });
    expect(preview.notes).toEqual([
      'sets the first bucket policy of s3://airlock-exports, with 1 statement',
      '1 added, 0 removed, 0 unchanged',
      'adds statement "PartnerRead": Allow s3:GetObject on arn:aws:s3:::airlock-exports/partner/* for AWS arn:aws:iam::444455556666:role/partner-reader',
      'the put is bound to there being no policy: if one is set before the put runs, the action fails',
    ]);
    expect(preview.warnings).toEqual([]);
    expect(preview.detail).toBe(`+ ${JSON.stringify(partnerRead)}`);
    expect(preview.preconditions).toEqual({ currentPolicySha256: null });
  });

  test('replacing a policy: the diff facts and notes, a public warning, the digest of what was read', async () => {
    const current = { Version: '2012-10-17', Statement: [partnerRead, denyInsecure] };
    const stored = JSON.stringify(current, null, 2);
    const { s3 } = bucketWith(stored, { BlockPublicPolicy: false });
    const preview = await previewPutBucketPolicy(params([denyInsecure, publicRead]), s3);
    expect(preview.facts).toMatchObject({
      policyExists: true,
      statements: 2,
      addedStatements: 1,
      removedStatements: 1,
      unchangedStatements: 1,
      grantsPublicAccess: true,
      currentlyGrantsPublicAccess: false,
      blockPublicPolicy: false,
      refusedByPublicAccessBlock: false,
    });
    expect(preview.notes).toEqual([
      'replaces the bucket policy of s3://airlock-exports (2 statements) with 2 statements',
      '1 added, 1 removed, 1 unchanged',
      'removes statement "PartnerRead": Allow s3:GetObject on arn:aws:s3:::airlock-exports/partner/* for AWS arn:aws:iam::444455556666:role/partner-reader',
      'adds statement "PublicRead": Allow s3:GetObject on arn:aws:s3:::airlock-exports/public/* for everyone (*)',
      "the bucket's public access block allows public policies; the account's public access block (not read) may still make S3 refuse this policy",
      expect.stringMatching(/^the put is bound to the current policy \(digest [0-9a-f]{12}…\)/),
    ]);
    expect(preview.warnings).toEqual(['makes s3://airlock-exports public: statement "PublicRead" allows everyone with no condition that limits who']);
    expect(preview.detail).toBe([`- ${JSON.stringify(partnerRead)}`, `+ ${JSON.stringify(publicRead)}`, '  (1 statement unchanged)'].join('\n'));
    // The digest of the JSON value as stored: spacing and key order aside.
    expect(preview.preconditions).toEqual({ currentPolicySha256: jsonDigest(current) });
  });

  test('BlockPublicPolicy on: S3 would refuse a public policy', async () => {
    const { s3 } = bucketWith(undefined, { BlockPublicPolicy: true });
    const preview = await previewPutBucketPolicy(params([publicRead]), s3);
    expect(preview.facts).toMatchObject({ grantsPublicAccess: true, blockPublicPolicy: true, refusedByPublicAccessBlock: true });
    expect(preview.warnings).toContain(
      "the bucket's public access block has BlockPublicPolicy on: S3 will refuse this policy (AccessDenied) and nothing will change",
    );
    // A policy that is not public is not refused by it.
    const quiet = await previewPutBucketPolicy(good, bucketWith(undefined, { BlockPublicPolicy: true }).s3);
    expect(quiet.facts).toMatchObject({ grantsPublicAccess: false, blockPublicPolicy: true, refusedByPublicAccessBlock: false });
    expect(quiet.warnings).toEqual([]);
  });

  test('every public statement is named in the warning', async () => {
    const unlabelled = { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:ListBucket', Resource: BUCKET_ARN };
    const preview = await previewPutBucketPolicy(params([partnerRead, publicRead, unlabelled]), bucketWith(undefined).s3);
    expect(preview.warnings[0]).toBe(
      'makes s3://airlock-exports public: statement "PublicRead", statement #3 allow everyone with no condition that limits who',
    );
  });

  test('a public access block that may not be read is unknown, not absent', async () => {
    const { s3 } = bucketWith(undefined, s3Error('AccessDenied', 403));
    const preview = await previewPutBucketPolicy(params([publicRead]), s3);
    expect(preview.facts).toMatchObject({ blockPublicPolicy: null, refusedByPublicAccessBlock: false });
    expect(preview.notes).toContain(
      "the bucket's public access block could not be read; the account's public access block (not read) may still make S3 refuse this policy",
    );
  });

  test('a public policy replaced by another public one says so; one made private gets a note', async () => {
    const wasPublic = await previewPutBucketPolicy(
      params([{ ...publicRead, Sid: 'Other', Resource: `${BUCKET_ARN}/*` }]),
      bucketWith({ Statement: publicRead }).s3,
    );
    expect(wasPublic.facts).toMatchObject({ grantsPublicAccess: true, currentlyGrantsPublicAccess: true });
    expect(wasPublic.warnings[0]).toBe(
      'the new policy grants public access, as the current one does: statement "Other" allows everyone with no condition that limits who',
    );
    const madePrivate = await previewPutBucketPolicy(good, bucketWith({ Statement: [publicRead] }).s3);
    expect(madePrivate.facts).toMatchObject({ grantsPublicAccess: false, currentlyGrantsPublicAccess: true });
    expect(madePrivate.notes).toContain('s3://airlock-exports is public under the current policy and would no longer be');
  });

  test('a missing bucket: a warning, no diff against anything, bound to null', async () => {
    const { s3 } = fakeS3({
      GetBucketPolicyCommand: () => {
        throw s3Error('NoSuchBucket', 404);
      },
      GetPublicAccessBlockCommand: () => {
        throw s3Error('NoSuchBucket', 404);
      },
    });
    const preview = await previewPutBucketPolicy(good, s3);
    expect(preview.facts).toMatchObject({ bucketExists: false, policyExists: false, addedStatements: 1, blockPublicPolicy: null });
    expect(preview.warnings).toEqual(['bucket s3://airlock-exports does not exist: the put would fail (NoSuchBucket)']);
    expect(preview.preconditions).toEqual({ currentPolicySha256: null });
  });

  test.each([
    ['text that is not JSON', 'not json {', /could not be read as a policy document: it is not JSON/],
    ['JSON of another shape', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe' }] }), /it has an unexpected shape \(Statement/],
  ])('a current policy the preview cannot parse (%s): a clear warning, no diff counts, still bound to what is stored', async (_name, stored, warning) => {
    const { s3 } = bucketWith(stored);
    const preview = await previewPutBucketPolicy(good, s3);
    expect(preview.facts).toMatchObject({
      policyExists: true,
      addedStatements: null,
      removedStatements: null,
      unchangedStatements: null,
      currentlyGrantsPublicAccess: null,
    });
    expect(preview.warnings[0]).toMatch(warning);
    expect(preview.warnings[0]).toMatch(/No diff can be shown; the new policy \(1 statement\) replaces it whole$/);
    expect(preview.detail).toBeUndefined();
    expect(preview.preconditions).toEqual({ currentPolicySha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  test('resources outside the bucket: a warning that S3 would refuse the policy', async () => {
    const preview = await previewPutBucketPolicy(
      params([{ ...partnerRead, Resource: [`${BUCKET_ARN}/ok/*`, 'arn:aws:s3:::airlock-exports-other/*', 'arn:aws:s3:::airlock-exports'] }]),
      bucketWith(undefined).s3,
    );
    expect(preview.warnings).toEqual([
      'resources outside s3://airlock-exports in statement "PartnerRead" (arn:aws:s3:::airlock-exports-other/*): S3 refuses a bucket policy that names other resources (MalformedPolicy)',
    ]);
  });

  test('errors other than a missing policy or bucket pass through (Temporal retries or fails them)', async () => {
    const { s3 } = fakeS3({
      GetBucketPolicyCommand: () => {
        throw s3Error('SlowDown', 503);
      },
      GetPublicAccessBlockCommand: () => ({ PublicAccessBlockConfiguration: {} }),
    });
    await expect(previewPutBucketPolicy(good, s3)).rejects.toMatchObject({ name: 'SlowDown' });
  });
});

describe('s3.putBucketPolicy execution', () => {
  test('puts exactly the requested document, with the expected owner, when the policy is still the previewed one', async () => {
    const current = { Version: '2012-10-17', Statement: [denyInsecure] };
    const { s3, calls } = bucketWith(current);
    const request = params([denyInsecure, publicRead], { expectedBucketOwner: '111122223333' });
    const outcome = await putAsPreviewed(request, s3, { currentPolicySha256: jsonDigest(current) });
    expect(calls.map((call) => call.name)).toEqual([GetBucketPolicyCommand.name, PutBucketPolicyCommand.name]);
    expect(calls[0]?.input).toEqual({ Bucket: BUCKET, ExpectedBucketOwner: '111122223333' });
    expect(calls[1]?.input).toEqual({ Bucket: BUCKET, Policy: JSON.stringify(request.policy), ExpectedBucketOwner: '111122223333' });
    expect(JSON.parse(calls[1]?.input.Policy as string)).toEqual({ Version: '2012-10-17', Statement: [denyInsecure, publicRead] });
    expect(outcome).toEqual({
      summary: 'replace the bucket policy of s3://airlock-exports (owned by account 111122223333) (2 statements, public)',
      outputs: { bucket: BUCKET, statements: 2, grantsPublicAccess: true, policySha256: jsonDigest(request.policy) },
    });
  });

  test.each([
    [
      'replaced',
      { Statement: [publicRead] },
      jsonDigest({ Statement: [denyInsecure] }),
      /was replaced after the diff was computed \(digest [0-9a-f]{12}… then, [0-9a-f]{12}… now\); nothing was put$/,
    ],
    ['created', { Statement: [publicRead] }, null, /did not exist when the diff was computed, and exists now; nothing was put$/],
    ['deleted', undefined, jsonDigest({ Statement: [denyInsecure] }), /was deleted after the diff was computed; nothing was put$/],
  ])('a policy %s since the preview fails precondition_failed and puts nothing', async (_name, now, reviewed, message) => {
    const { s3, calls } = bucketWith(now);
    const failure = putAsPreviewed(good, s3, { currentPolicySha256: reviewed });
    await expect(failure).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(failure).rejects.toMatchObject({ code: 'precondition_failed', message: expect.stringMatching(message) });
    expect(calls.map((call) => call.name)).toEqual([GetBucketPolicyCommand.name]);
  });

  test('a bucket deleted since the preview fails as S3 answers the put (NoSuchBucket), not as a changed policy', async () => {
    const { s3, calls } = fakeS3({
      GetBucketPolicyCommand: () => {
        throw s3Error('NoSuchBucket', 404);
      },
      PutBucketPolicyCommand: () => {
        throw s3Error('NoSuchBucket', 404);
      },
    });
    await expect(putAsPreviewed(good, s3, { currentPolicySha256: jsonDigest({ Statement: [denyInsecure] }) })).rejects.toMatchObject({ name: 'NoSuchBucket' });
    expect(calls.map((call) => call.name)).toEqual([GetBucketPolicyCommand.name, PutBucketPolicyCommand.name]);
  });

  test('findApplied: the requested policy (as S3 may write it back) is in place; anything else is not', async () => {
    const readBack = {
      Version: '2012-10-17',
      Statement: [{ ...partnerRead, Principal: { AWS: ['arn:aws:iam::444455556666:role/partner-reader'] }, Action: 's3:GetObject' }],
    };
    expect(await findPutBucketPolicyApplied(good, bucketWith(readBack).s3)).toEqual({
      summary: 'replace the bucket policy of s3://airlock-exports (1 statement)',
      outputs: { bucket: BUCKET, statements: 1, grantsPublicAccess: false, policySha256: jsonDigest(good.policy) },
    });
    expect(await findPutBucketPolicyApplied(good, bucketWith({ Version: '2012-10-17', Statement: [denyInsecure] }).s3)).toBeUndefined();
    expect(await findPutBucketPolicyApplied(good, bucketWith(undefined).s3)).toBeUndefined();
    expect(await findPutBucketPolicyApplied(good, bucketWith('not json').s3)).toBeUndefined();
  });
});
