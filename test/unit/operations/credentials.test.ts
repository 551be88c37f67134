import type { STSClient } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import {
  approversTagValue,
  assumeOneShotRole,
  assumeRoleInput,
  roleSessionName,
  sessionTags,
  sessionTagValue,
  sourceIdentity,
  stsName,
  type OneShotRoleRequest,
} from '../../../activities/credentials';
import { s3CopyObject } from '../../../operations/s3/copy-object';
import { MAX_SESSION_POLICY_CHARS, sessionPolicyText, type IamPolicyDocument } from '../../../operations/types';

const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const policy = s3CopyObject.sessionPolicy(
  { sourceBucket: 'airlock-source', sourceKey: 'reports/2026-q3.csv', destinationBucket: 'airlock-exports', destinationKey: 'q3.csv' },
  'aws',
);

const request: OneShotRoleRequest = {
  roleArn: 'arn:aws:iam::123456789012:role/airlock-executor',
  sessionPolicy: policy,
  actionId: 'action-s3.copyObject-abcdefghijkmnpqr',
  action: 's3.copyObject',
  requester: 'etl-bot',
  approvers: ['alice', 'bob'],
  notAfter: new Date('2026-11-30T12:01:01Z'),
};

/** A stand-in for STSClient: only `send` is used. */
function fakeSts(respond: (input: unknown) => unknown): { client: STSClient; inputs: unknown[] } {
  const inputs: unknown[] = [];
  const client = {
    send: async (command: { input: unknown }) => {
      inputs.push(command.input);
      return respond(command.input);
    },
  } as unknown as STSClient; // the activity only calls send()
  return { client, inputs };
}

describe('STS names (role session name, source identity)', () => {
  test.each(['action-s3.copyObject-abcdefghijkmnpqr', 'etl-bot', 'alice@example.com', 'svc_account+1=2,3', 'ab', 'x'.repeat(64)])(
    'keeps a valid value unchanged: %s',
    (value) => {
      expect(stsName(value)).toBe(value);
      expect(roleSessionName(value)).toBe(value);
      expect(sourceIdentity(value)).toBe(value);
    },
  );

  test.each([
    ['spaces and slashes', 'etl bot/prod'],
    ['a colon (aws: prefix)', 'aws:internal'],
    ['unicode', 'jürgen'],
    ['too long', 'action-'.repeat(20)],
    ['one character', 'a'],
    ['empty', ''],
  ])('sanitizes %s into the charset and 2–64 chars', (_name, value) => {
    const name = stsName(value);
    expect(name).toMatch(STS_NAME);
    expect(name).not.toBe(value);
  });

  test('replaces bad characters and appends a hash of the original, so distinct inputs stay distinct', () => {
    expect(stsName('etl bot/prod')).toMatch(/^etl-bot-prod-[0-9a-f]{8}$/);
    expect(stsName('etl bot')).not.toBe(stsName('etl/bot'));
    expect(stsName('aws:internal')).toMatch(/^aws-internal-[0-9a-f]{8}$/);
  });

  test('truncates long values to 64 with a hash suffix, keeping them unique', () => {
    const long = `action-s3.copyObject-${'x'.repeat(60)}`;
    const name = stsName(long);
    expect(name).toHaveLength(64);
    expect(name.startsWith('action-s3.copyObject-xxx')).toBe(true);
    expect(name).toMatch(/-[0-9a-f]{8}$/);
    expect(stsName(`${long}1`)).not.toBe(name);
    expect(stsName(`${long}1`)).toHaveLength(64);
  });

  test('is deterministic (same action, same session name on every attempt)', () => {
    expect(stsName('etl bot')).toBe(stsName('etl bot'));
  });
});

describe('session tag values', () => {
  test('keeps allowed characters, unicode letters and spaces included', () => {
    expect(sessionTagValue('action-s3.copyObject-abc')).toBe('action-s3.copyObject-abc');
    expect(sessionTagValue('Jürgen Müller a@b.c +=:/_')).toBe('Jürgen Müller a@b.c +=:/_');
  });

  test('replaces disallowed characters with _ and caps at 256 characters', () => {
    expect(sessionTagValue('a*b?c${d}<e>"f\'g\n')).toBe('a_b_c__d__e__f_g_');
    expect(sessionTagValue('y'.repeat(300))).toBe('y'.repeat(256));
    expect(Array.from(sessionTagValue('ü'.repeat(300)))).toHaveLength(256);
  });

  test('approvers are space-joined, with spaces inside an id replaced', () => {
    expect(approversTagValue(['alice', 'bob'])).toBe('alice bob');
    expect(approversTagValue(['U012AB', 'carol@example.com', 'dave smith'])).toBe('U012AB carol@example.com dave_smith');
    expect(approversTagValue([])).toBe('');
  });

  test('too many approvers: as many as fit, then +N for the rest, within 256 characters', () => {
    const approvers = Array.from({ length: 40 }, (_, i) => `approver-${String(i).padStart(2, '0')}`); // 11 chars each
    const value = approversTagValue(approvers);
    expect(value.length).toBeLessThanOrEqual(256);
    expect(value).toMatch(TAG_VALUE);
    const parts = value.split(' ');
    const shown = parts.slice(0, -1);
    expect(shown).toEqual(approvers.slice(0, shown.length));
    expect(parts.at(-1)).toBe(`+${approvers.length - shown.length}`);
    expect(shown.length).toBe(21); // 21 ids + 20 spaces = 251, + " +19" = 255; a 22nd id alone would make 263
  });

  test('one huge approver id still yields a valid value', () => {
    const value = approversTagValue(['z'.repeat(300), 'bob']);
    expect(value.length).toBeLessThanOrEqual(256);
    expect(value).toMatch(TAG_VALUE);
  });

  test('the three session tags', () => {
    expect(sessionTags(request)).toEqual([
      { Key: 'airlock-action-id', Value: 'action-s3.copyObject-abcdefghijkmnpqr' },
      { Key: 'airlock-action', Value: 's3.copyObject' },
      { Key: 'airlock-approvers', Value: 'alice bob' },
    ]);
  });
});

describe('AssumeRole input', () => {
  test('is exactly the one-shot request, every statement of its policy bounded by aws:CurrentTime', () => {
    expect(assumeRoleInput(request)).toEqual({
      RoleArn: 'arn:aws:iam::123456789012:role/airlock-executor',
      RoleSessionName: 'action-s3.copyObject-abcdefghijkmnpqr',
      Policy:
        '{"Version":"2012-10-17","Statement":[' +
        '{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::airlock-source/reports/2026-q3.csv"],' +
        '"Condition":{"DateLessThan":{"aws:CurrentTime":"2026-11-30T12:01:01Z"}}},' +
        '{"Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::airlock-exports/q3.csv"],' +
        '"Condition":{"DateLessThan":{"aws:CurrentTime":"2026-11-30T12:01:01Z"}}}]}',
      DurationSeconds: 900,
      SourceIdentity: 'etl-bot',
      Tags: [
        { Key: 'airlock-action-id', Value: 'action-s3.copyObject-abcdefghijkmnpqr' },
        { Key: 'airlock-action', Value: 's3.copyObject' },
        { Key: 'airlock-approvers', Value: 'alice bob' },
      ],
    });
  });

  test('a session policy over 2048 characters is a non-retryable SessionPolicyTooLarge', () => {
    const big: IamPolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::b/${'k'.repeat(2048)}`] }],
    };
    let thrown: unknown;
    try {
      assumeRoleInput({ ...request, sessionPolicy: big });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect((thrown as ApplicationFailure).type).toBe('SessionPolicyTooLarge');
    expect((thrown as ApplicationFailure).nonRetryable).toBe(true);
  });

  test('the limit counts the time bound: a policy that fits only without it is refused', () => {
    const statement = (key: string) => ({ Effect: 'Allow' as const, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::b/${key}`] });
    const bare = (length: number): IamPolicyDocument => ({ Version: '2012-10-17', Statement: [statement('k'.repeat(length)), statement('x')] });
    let length = 1;
    while (sessionPolicyText(bare(length + 1)).length <= MAX_SESSION_POLICY_CHARS) length += 1;
    expect(sessionPolicyText(bare(length)).length).toBe(MAX_SESSION_POLICY_CHARS);
    expect(() => assumeRoleInput({ ...request, sessionPolicy: bare(length) })).toThrow(
      /characters with its time bound \(2026-11-30T12:01:01Z\); STS allows 2048/,
    );
  });
});

describe('assumeOneShotRole', () => {
  test('returns the credentials and the session names', async () => {
    const expiration = new Date('2030-01-01T00:15:00Z');
    const sts = fakeSts(() => ({
      Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret-example', SessionToken: 'token-example', Expiration: expiration },
    }));
    const role = await assumeOneShotRole(sts.client, request);
    expect(sts.inputs).toEqual([assumeRoleInput(request)]);
    expect(role).toEqual({
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret-example', sessionToken: 'token-example', expiration },
      session: {
        roleArn: request.roleArn,
        roleSessionName: 'action-s3.copyObject-abcdefghijkmnpqr',
        sourceIdentity: 'etl-bot',
      },
      // What the audit trail records: the policy exactly as STS received it.
      policy: assumeRoleInput(request).Policy,
    });
  });

  test('a response without complete credentials is a failure, not a half-authenticated client', async () => {
    const sts = fakeSts(() => ({ Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret-example' } }));
    await expect(assumeOneShotRole(sts.client, request)).rejects.toMatchObject({ type: 'IncompleteCredentials' });
  });

  test('does not call STS when the policy is too large', async () => {
    const sts = fakeSts(() => ({}));
    const big: IamPolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::b/${'k'.repeat(2048)}`] }],
    };
    await expect(assumeOneShotRole(sts.client, { ...request, sessionPolicy: big })).rejects.toMatchObject({ type: 'SessionPolicyTooLarge' });
    expect(sts.inputs).toEqual([]);
  });
});
