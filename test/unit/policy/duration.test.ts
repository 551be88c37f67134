import { InvalidDurationError, parseDuration } from '../../../policy';

describe('parseDuration', () => {
  test.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['007s', 7_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', '1', 'h', '1.5h', '-1h', '+1h', '1 h', ' 1h', '1h ', '1H', '1hr', '1h30m', '1w', '0s', '0ms', '99999999999999999d'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidDurationError);
  });

  test('the message names the value and the accepted form', () => {
    expect(() => parseDuration('1 hour')).toThrow(/invalid duration "1 hour": use a whole number and one unit \(ms, s, m, h, d\)/);
    try {
      parseDuration('2w');
    } catch (err) {
      expect(err).toMatchObject({ name: 'InvalidDurationError', code: 'invalid_duration' });
    }
    expect.assertions(2);
  });
});
