import { ErrorCode } from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';
import { toSlackFailure } from '../../../../channels/slack/outbound/slack-errors';
import { SlackFailureType } from '../../../../domain/failure-types';

const TOKEN = 'xoxb-0000000000-secret-token-value';

/** Errors shaped as WebClient 7 builds them (errors.ts in @slack/web-api). */
const coded = (message: string, code: string, extra: object) => Object.assign(new Error(message), { code }, extra);
const rateLimited = (retryAfter: number) =>
  coded(`A rate-limit has been reached, you may retry this request in ${retryAfter} seconds`, ErrorCode.RateLimitedError, { retryAfter });
const platform = (error: string, data: object = {}) =>
  coded(`An API error occurred: ${error}`, ErrorCode.PlatformError, { data: { ok: false, error, ...data } });
const http = (statusCode: number) =>
  coded(`An HTTP protocol error occurred: statusCode = ${statusCode}`, ErrorCode.HTTPError, { statusCode, headers: {}, body: '' });
const request = (message: string) => coded(`A request error occurred: ${message}`, ErrorCode.RequestError, {});

describe('toSlackFailure', () => {
  it('turns a 429 into a retryable SlackRateLimited whose next retry waits Retry-After', () => {
    const failure = toSlackFailure(rateLimited(7), 'chat.postMessage', [TOKEN]);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe(SlackFailureType.RateLimited);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe('7s');
    expect(failure.message).toContain('chat.postMessage');
  });

  it('treats a ratelimited platform error like a 429', () => {
    const failure = toSlackFailure(platform('ratelimited', { response_metadata: { retryAfter: 3 } }), 'chat.update');
    expect(failure).toMatchObject({ type: SlackFailureType.RateLimited, nonRetryable: false, nextRetryDelay: '3s' });
  });

  it.each([
    'channel_not_found',
    'not_in_channel',
    'is_archived',
    'invalid_auth',
    'not_authed',
    'account_inactive',
    'token_revoked',
    'no_permission',
    'missing_scope',
    'msg_too_long',
    'invalid_blocks',
    'message_not_found',
    'cant_update_message',
    'edit_window_closed',
    'some_future_error',
  ])('makes %s non-retryable SlackPermanentError naming the code', (code) => {
    const failure = toSlackFailure(platform(code), 'chat.postMessage', [TOKEN]);
    expect(failure).toMatchObject({ type: SlackFailureType.Permanent, nonRetryable: true });
    expect(failure.message).toContain(code);
    expect(failure.message).toContain('chat.postMessage');
  });

  it('says which scope is missing and why blocks were refused', () => {
    expect(toSlackFailure(platform('missing_scope', { needed: 'chat:write.public' }), 'chat.postMessage').message).toContain('needed: chat:write.public');
    const blocks = platform('invalid_blocks', {
      response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/2/text/text]'] },
    });
    expect(toSlackFailure(blocks, 'chat.update').message).toContain('/blocks/2/text/text');
  });

  it.each(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'])('retries the transient platform error %s', (code) => {
    expect(toSlackFailure(platform(code), 'chat.update')).toMatchObject({ type: SlackFailureType.Unavailable, nonRetryable: false });
  });

  it.each([500, 502, 503, 504, 408])('retries HTTP %s as SlackUnavailable', (status) => {
    const failure = toSlackFailure(http(status), 'chat.postMessage');
    expect(failure).toMatchObject({ type: SlackFailureType.Unavailable, nonRetryable: false });
    expect(failure.message).toContain(`HTTP ${status}`);
  });

  it('does not retry an HTTP status Slack never sends (a wrong API URL)', () => {
    expect(toSlackFailure(http(404), 'chat.postMessage')).toMatchObject({ type: SlackFailureType.Permanent, nonRetryable: true });
  });

  it('retries network errors, without the token in the message', () => {
    const failure = toSlackFailure(request(`connect ECONNREFUSED 127.0.0.1:9 (Authorization: Bearer ${TOKEN})`), 'chat.postMessage', [TOKEN]);
    expect(failure).toMatchObject({ type: SlackFailureType.Unavailable, nonRetryable: false });
    expect(failure.message).toContain('ECONNREFUSED');
    expect(failure.message).not.toContain(TOKEN);
    expect(failure.cause).toBeUndefined();
  });

  it('retries a 429 whose Retry-After the client could not read, with Temporal backoff', () => {
    const failure = toSlackFailure(new Error('Retry header did not contain a valid timeout (url: x, retry-after header: soon)'), 'chat.update');
    expect(failure).toMatchObject({ type: SlackFailureType.RateLimited, nonRetryable: false });
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  it('does not retry a bug in our own code, and passes our own failures through', () => {
    expect(toSlackFailure(new TypeError('x is undefined'), 'chat.update')).toMatchObject({ nonRetryable: true });
    const own = ApplicationFailure.create({ type: SlackFailureType.NotConfigured, message: 'no token', nonRetryable: true });
    expect(toSlackFailure(own, 'chat.update')).toBe(own);
  });
});
