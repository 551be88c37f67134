import { failureMessage, isProgrammingError, rateLimitedFailure, redact, retryDelaySeconds, truncate } from '../../../activities/failure-mapping';
import { SlackFailureType, TeamsFailureType } from '../../../domain/failure-types';

describe('what every activity failure mapping shares', () => {
  test('programming errors are the ones no retry can pass', () => {
    for (const name of ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']) expect(isProgrammingError(name)).toBe(true);
    for (const name of ['Error', 'AccessDenied', 'RequestError', 'HTTPError']) expect(isProgrammingError(name)).toBe(false);
  });

  test('a message loses its secrets before it is cut, so a cut never leaves part of one', () => {
    const secret = 'xoxb-0123456789-abcdefghij';
    const text = `${'a'.repeat(10)}${secret} trailing`;
    expect(failureMessage(text, [secret], 12)).toBe(`${'a'.repeat(10)}[r…`);
    expect(truncate(text, 12)).toBe(`${'a'.repeat(10)}xo…`);
    expect(redact(text, [secret, undefined, 'short'])).toBe(`${'a'.repeat(10)}[redacted] trailing`);
  });

  test('a Retry-After becomes the next attempt’s delay, in whole seconds, never zero', () => {
    expect([0, 0.2, 1, 2.1].map(retryDelaySeconds)).toEqual([1, 1, 1, 3]);
    expect(rateLimitedFailure(SlackFailureType.RateLimited, 'chat.update', 'Slack', 3)).toMatchObject({
      type: 'SlackRateLimited',
      message: 'chat.update was rate-limited by Slack; retry after 3s',
      nextRetryDelay: '3s',
      nonRetryable: false,
    });
    const withoutDelay = rateLimitedFailure(TeamsFailureType.RateLimited, 'POST activities', 'Teams', undefined);
    expect(withoutDelay).toMatchObject({ type: 'TeamsRateLimited', message: 'POST activities was rate-limited by Teams', nonRetryable: false });
    expect(withoutDelay.nextRetryDelay).toBeUndefined();
  });
});
