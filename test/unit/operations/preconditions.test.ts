import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../../activities/aws-errors';
import { defaultCatalogue } from '../../../operations/catalogue';
import {
  InvalidPreconditionsError,
  isPreconditionError,
  jsonDigest,
  parsePreconditions,
  PreconditionFailedError,
  shortDigest,
} from '../../../operations/preconditions';
import type { JsonObject } from '../../../operations/types';

const catalogue = defaultCatalogue();
const DIGEST = 'a'.repeat(64);

function operation(name: string) {
  const found = catalogue.get(name);
  if (!found) throw new Error(`${name} is not in the catalogue`);
  return found;
}

/** What parsePreconditions throws, or undefined when it accepts. */
function refusal(name: string, value: JsonObject | undefined, stage: 'preview' | 'execution' = 'execution'): InvalidPreconditionsError | undefined {
  try {
    parsePreconditions(operation(name), value, stage);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidPreconditionsError);
    return err as InvalidPreconditionsError;
  }
}

describe('the errors', () => {
  test('are named classes with stable codes', () => {
    const failed = new PreconditionFailedError('s3://b/k changed');
    expect([failed.name, failed.code, failed.message]).toEqual(['PreconditionFailedError', 'precondition_failed', 's3://b/k changed']);
    const invalid = new InvalidPreconditionsError('none');
    expect([invalid.name, invalid.code]).toEqual(['InvalidPreconditionsError', 'invalid_preconditions']);
    expect([isPreconditionError(failed), isPreconditionError(invalid), isPreconditionError(new Error('x'))]).toEqual([true, true, false]);
  });

  test('become a non-retryable failure whose type is exactly the code, its message saying what changed', () => {
    const failure = toApplicationFailure(new PreconditionFailedError('s3://b/k changed after the preview: ETag "a" then, "b" now'), 's3.copyObject');
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toBe('s3.copyObject failed: s3://b/k changed after the preview: ETag "a" then, "b" now (precondition_failed)');
    expect(failure.cause).toBeUndefined();
    expect(failure.details ?? []).toEqual([]);
    expect(toApplicationFailure(new InvalidPreconditionsError('none'), 's3.copyObject')).toMatchObject({ type: 'invalid_preconditions', nonRetryable: true });
  });

  test('lose any secret they quote', () => {
    const secret = 'secret-access-key-0123456789';
    const failure = toApplicationFailure(new PreconditionFailedError(`changed, signed ${secret}`), 'step', [secret]);
    expect(failure.message).not.toContain(secret);
  });
});

describe('parsePreconditions', () => {
  test('every operation of the catalogue binds its execution to its preview', () => {
    expect(
      catalogue
        .list()
        .filter((entry) => entry.preconditions === undefined)
        .map((entry) => entry.name),
    ).toEqual([]);
  });

  test.each([
    ['s3.copyObject', { sourceETag: '"abc"' }],
    ['s3.copyObject', { sourceETag: null }],
    ['s3.exportPrefix', { objectCount: 3, totalBytes: 60, manifestSha256: DIGEST }],
    ['s3.exportPrefix', { objectCount: 100000, totalBytes: 5, manifestSha256: null }],
    ['iam.putRolePolicy', { currentPolicySha256: DIGEST }],
    ['iam.putRolePolicy', { currentPolicySha256: null }],
    ['iam.attachRolePolicy', { defaultVersionId: 'v3', documentSha256: DIGEST, attached: false }],
    ['iam.detachRolePolicy', { defaultVersionId: 'v1', documentSha256: DIGEST, attached: true }],
    ['ec2.runInstances', { image: { ownerId: '137112412989' }, subnet: { vpcId: 'vpc-1', availabilityZone: 'eu-west-1a' } }],
    ['ec2.runInstances', { image: null, subnet: {} }],
  ])('%s accepts %j', (name, value) => {
    expect(parsePreconditions(operation(name), value, 'execution')).toEqual(value);
  });

  test.each(catalogue.names())('%s without preconditions fails, and says why', (name) => {
    expect(refusal(name, undefined)?.message).toBe(
      `${name} runs only as previewed, and this action has no preconditions from a preview ` +
        '(its preview failed, or it was previewed before executions were bound to previews): request it again',
    );
    expect(refusal(name, undefined, 'preview')?.message).toBe(`${name} returned no preconditions from its preview, but its execution is bound to them`);
  });

  test.each([
    ['s3.copyObject', {}, 'preconditions.sourceETag'],
    ['s3.copyObject', { sourceETag: 42 }, 'preconditions.sourceETag'],
    ['s3.copyObject', { sourceETag: '' }, 'preconditions.sourceETag'],
    ['s3.copyObject', { sourceETag: '"abc"', destinationETag: '"x"' }, 'preconditions: Unrecognized key'],
    ['s3.exportPrefix', { objectCount: 3, totalBytes: 60, manifestSha256: 'not-a-digest' }, 'preconditions.manifestSha256: must be a SHA-256 digest'],
    ['s3.exportPrefix', { objectCount: -1, totalBytes: 60, manifestSha256: DIGEST }, 'preconditions.objectCount'],
    ['s3.exportPrefix', { objectCount: 1.5, totalBytes: 60, manifestSha256: DIGEST }, 'preconditions.objectCount'],
    ['iam.putRolePolicy', { currentPolicySha256: DIGEST.toUpperCase() }, 'preconditions.currentPolicySha256'],
    ['iam.putRolePolicy', { currentPolicySha256: '{"Statement":[]}' }, 'preconditions.currentPolicySha256'],
    ['iam.attachRolePolicy', { defaultVersionId: 'v3', documentSha256: DIGEST }, 'preconditions.attached'],
    ['iam.detachRolePolicy', { defaultVersionId: '', documentSha256: DIGEST, attached: true }, 'preconditions.defaultVersionId'],
    ['ec2.runInstances', { image: 'ami-1', subnet: null }, 'preconditions.image'],
    ['ec2.runInstances', { image: null }, 'preconditions.subnet'],
  ])('%s refuses malformed preconditions %j', (name, value, path) => {
    const message = refusal(name, value as JsonObject)?.message ?? '';
    expect(message.startsWith(`${name} received malformed preconditions: `)).toBe(true);
    expect(message).toContain(path);
  });

  test('an operation that declares no schema gets none, and a preview of it that returns some is a bug', () => {
    const unbound = { name: 'test.unbound' };
    expect(parsePreconditions(unbound, undefined, 'execution')).toBeUndefined();
    expect(parsePreconditions(unbound, undefined, 'preview')).toBeUndefined();
    expect(() => parsePreconditions(unbound, { sourceETag: '"x"' }, 'preview')).toThrow(
      'test.unbound returned preconditions from its preview but declares no schema to check them with',
    );
  });
});

describe('digests', () => {
  test('of JSON are canonical: key order and spacing do not matter, content does', () => {
    const a = JSON.parse('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}');
    const b = JSON.parse('{ "Statement": [ { "Resource": "*", "Action": "s3:GetObject", "Effect": "Allow" } ], "Version": "2012-10-17" }');
    expect(jsonDigest(a)).toBe(jsonDigest(b));
    expect(jsonDigest(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(jsonDigest({ ...a, Id: 'x' })).not.toBe(jsonDigest(a));
    expect(shortDigest(DIGEST)).toBe('aaaaaaaaaaaa…');
  });
});
