import { AccessDenied, NoSuchBucket, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import {
  ExpiredTokenException,
  MalformedPolicyDocumentException,
  PackedPolicyTooLargeException,
  RegionDisabledException,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import { classifyAwsError, toApplicationFailure } from '../../../activities/aws-errors';
import { redact } from '../../../activities/failure-mapping';

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'REQ123', attempts: 1, totalRetryDelay: 0 });

/** An S3 error as the SDK builds it for an unmodeled code (e.g. AccessDenied on CopyObject). */
function s3Error(name: string, status: number, fault: 'client' | 'server', message = `${name} message`) {
  return new S3ServiceException({ name, $fault: fault, $metadata: meta(status), message });
}

function stsError(name: string, status: number, fault: 'client' | 'server') {
  return new STSServiceException({ name, $fault: fault, $metadata: meta(status), message: `${name} message` });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, $metadata: { attempts: 1 } });
}

describe('classifyAwsError', () => {
  test.each([
    ['S3 NoSuchKey', new NoSuchKey({ $metadata: meta(404), message: 'The specified key does not exist.' }), 'NoSuchKey'],
    ['S3 NoSuchBucket', new NoSuchBucket({ $metadata: meta(404), message: 'The specified bucket does not exist' }), 'NoSuchBucket'],
    ['S3 AccessDenied (modeled)', new AccessDenied({ $metadata: meta(403), message: 'Access Denied' }), 'AccessDenied'],
    ['S3 AccessDenied (unmodeled)', s3Error('AccessDenied', 403, 'client'), 'AccessDenied'],
    ['S3 InvalidRequest', s3Error('InvalidRequest', 400, 'client'), 'InvalidRequest'],
    ['S3 SignatureDoesNotMatch', s3Error('SignatureDoesNotMatch', 403, 'client'), 'SignatureDoesNotMatch'],
    ['STS AccessDenied', stsError('AccessDenied', 403, 'client'), 'AccessDenied'],
    ['STS ValidationError', stsError('ValidationError', 400, 'client'), 'ValidationError'],
    ['STS MalformedPolicyDocument', new MalformedPolicyDocumentException({ $metadata: meta(400), message: 'bad' }), 'MalformedPolicyDocumentException'],
    ['STS PackedPolicyTooLarge', new PackedPolicyTooLargeException({ $metadata: meta(400), message: 'big' }), 'PackedPolicyTooLargeException'],
    ['STS RegionDisabled', new RegionDisabledException({ $metadata: meta(403), message: 'off' }), 'RegionDisabledException'],
    ['a 404 without a modeled name', s3Error('NotFound', 404, 'client'), 'NotFound'],
    ['a client fault without a status', Object.assign(new Error('x'), { name: 'InvalidParameterValue', $fault: 'client' }), 'InvalidParameterValue'],
    ['a TypeError from our own code', new TypeError('cannot read x of undefined'), 'TypeError'],
  ])('%s is not retryable', (_name, err, type) => {
    expect(classifyAwsError(err)).toMatchObject({ type, retryable: false });
  });

  test.each([
    ['S3 500 InternalError', s3Error('InternalError', 500, 'server'), 'InternalError'],
    ['S3 503 SlowDown', s3Error('SlowDown', 503, 'server'), 'SlowDown'],
    ['S3 503 ServiceUnavailable', s3Error('ServiceUnavailable', 503, 'server'), 'ServiceUnavailable'],
    ['STS 400 Throttling', stsError('Throttling', 400, 'client'), 'Throttling'],
    ['a 400 ThrottlingException', s3Error('ThrottlingException', 400, 'client'), 'ThrottlingException'],
    ['a 429 of any name', s3Error('TooManyRequests', 429, 'client'), 'TooManyRequests'],
    ['a throttling trait', Object.assign(s3Error('Whatever', 400, 'client'), { $retryable: { throttling: true } }), 'Whatever'],
    ['S3 400 RequestTimeout', s3Error('RequestTimeout', 400, 'client'), 'RequestTimeout'],
    ['S3 403 RequestTimeTooSkewed', s3Error('RequestTimeTooSkewed', 403, 'client'), 'RequestTimeTooSkewed'],
    ['STS ExpiredToken (base credentials refresh)', new ExpiredTokenException({ $metadata: meta(400), message: 'expired' }), 'ExpiredTokenException'],
    ['a server fault without a status', Object.assign(new Error('x'), { name: 'InternalFailure', $fault: 'server' }), 'InternalFailure'],
    ['SDK TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), 'TimeoutError'],
    ['ECONNREFUSED', networkError('ECONNREFUSED'), 'NetworkError'],
    ['ECONNRESET', networkError('ECONNRESET'), 'NetworkError'],
    ['ENOTFOUND', networkError('ENOTFOUND'), 'NetworkError'],
    ['an unknown Error', new Error('something odd'), 'Error'],
    ['a thrown string', 'boom', 'Error'],
  ])('%s is retryable', (_name, err, type) => {
    expect(classifyAwsError(err)).toMatchObject({ type, retryable: true });
  });

  test('keeps the HTTP status of service errors', () => {
    expect(classifyAwsError(s3Error('AccessDenied', 403, 'client'))).toEqual({ type: 'AccessDenied', retryable: false, status: 403 });
  });

  test('an odd error name becomes AwsError', () => {
    expect(classifyAwsError(s3Error('not a name!', 400, 'client')).type).toBe('AwsError');
  });
});

describe('toApplicationFailure', () => {
  test('carries type, a safe message and retryability; never the SDK error', () => {
    const err = Object.assign(s3Error('SignatureDoesNotMatch', 403, 'client', 'The request signature we calculated does not match'), {
      CanonicalRequest: 'PUT /b/k\nx-amz-security-token:SESSIONTOKENVALUE',
      StringToSign: 'AWS4-HMAC-SHA256...',
    });
    const failure = toApplicationFailure(err, 's3.copyObject');
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('SignatureDoesNotMatch');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('s3.copyObject failed: The request signature we calculated does not match (SignatureDoesNotMatch, HTTP 403)');
    expect(failure.cause).toBeUndefined();
    expect(failure.details ?? []).toEqual([]);
    expect(JSON.stringify(failure)).not.toContain('SESSIONTOKENVALUE');
    expect(failure.stack ?? '').not.toContain('SESSIONTOKENVALUE');
  });

  test('retryable errors are not marked non-retryable', () => {
    const failure = toApplicationFailure(s3Error('SlowDown', 503, 'server', 'Please reduce your request rate.'), 's3.copyObject');
    expect(failure.type).toBe('SlowDown');
    expect(failure.nonRetryable).toBe(false);
  });

  test('removes every given secret from the message', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const token = 'FQoGZXIvYXdzEBYaDExampleSessionToken==';
    const err = s3Error('InvalidRequest', 400, 'client', `bad header ${secret} and ${token}`);
    const failure = toApplicationFailure(err, 's3.copyObject', [secret, token, undefined]);
    expect(failure.message).toBe('s3.copyObject failed: bad header [redacted] and [redacted] (InvalidRequest, HTTP 400)');
  });

  test('passes our own ApplicationFailures through unchanged', () => {
    const own = ApplicationFailure.create({ type: 'SessionPolicyTooLarge', message: 'too big', nonRetryable: true });
    expect(toApplicationFailure(own, 'sts:AssumeRole')).toBe(own);
  });

  test('an ApplicationFailure that quotes a secret is rebuilt without it and without details', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const own = ApplicationFailure.create({ type: 'Custom', message: `used ${secret}`, nonRetryable: true, details: [{ secret }] });
    const failure = toApplicationFailure(own, 's3.copyObject', [secret]);
    expect(failure).not.toBe(own);
    expect(failure).toMatchObject({ type: 'Custom', nonRetryable: true, message: 'used [redacted]' });
    expect(failure.details ?? []).toEqual([]);
  });

  test('caps very long messages', () => {
    const failure = toApplicationFailure(s3Error('InvalidRequest', 400, 'client', 'x'.repeat(5000)), 's3.copyObject');
    expect(failure.message.length).toBeLessThan(1100);
  });

  test('network errors name the code but nothing else', () => {
    const failure = toApplicationFailure(networkError('ECONNREFUSED'), 'sts:AssumeRole');
    expect(failure).toMatchObject({ type: 'NetworkError', nonRetryable: false });
    expect(failure.message).toBe('sts:AssumeRole failed: connect ECONNREFUSED 127.0.0.1:1 (NetworkError)');
  });
});

describe('redact', () => {
  test('skips empty and very short values so ordinary text is not mangled', () => {
    expect(redact('a b c', ['', 'a', undefined])).toBe('a b c');
    expect(redact('key=abcdefgh;', ['abcdefgh'])).toBe('key=[redacted];');
  });
});
