import { consoleBaseUrl } from '../../../config/console-url';
import { ConfigError, loadConfig } from '../../../config/load';
import { smtpUrlProblem, smtpUrlSecrets } from '../../../config/smtp-url';

/** The load error for `env`, or a failure if it loads. */
function loadError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error(`loaded ${JSON.stringify(env)} without an error`);
}

describe('AIRLOCK_CONSOLE_URL', () => {
  it.each([
    ['https://airlock.example.com', 'https://airlock.example.com'],
    ['https://airlock.example.com/', 'https://airlock.example.com'],
    ['https://airlock.example.com:8443', 'https://airlock.example.com:8443'],
    ['https://AIRLOCK.example.com:443/', 'https://airlock.example.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://localhost:8080/', 'http://localhost:8080'],
  ])('%s is the base %s', (raw, base) => {
    expect(consoleBaseUrl(raw)).toEqual({ url: base });
    expect(loadConfig({ AIRLOCK_CONSOLE_URL: raw }).AIRLOCK_CONSOLE_URL).toBe(base);
  });

  it.each([
    ['plain http off loopback', 'http://airlock.example.com', 'must use https (http on loopback only)'],
    ['a path', 'https://airlock.example.com/airlock', 'must be a base URL without a path'],
    ['a query', 'https://airlock.example.com/?x=1', 'must be a base URL without a query or fragment'],
    ['credentials', 'https://user:pw@airlock.example.com', 'must not contain credentials'],
    ['not a URL', 'airlock.example.com', 'must be an absolute URL'],
  ])('refuses %s, naming the variable', (_, raw, problem) => {
    expect(loadError({ AIRLOCK_CONSOLE_URL: raw })).toContain(`AIRLOCK_CONSOLE_URL: ${problem}`);
  });

  it('is unset by default', () => {
    expect(loadConfig({}).AIRLOCK_CONSOLE_URL).toBeUndefined();
  });
});

describe('AIRLOCK_SMTP_URL and AIRLOCK_EMAIL_FROM', () => {
  it.each([
    'smtp://127.0.0.1:2525',
    'smtps://smtp.example.com',
    'smtp://user:p%40ss@smtp.example.com:587/',
    'smtps://smtp.example.com:465?tls.servername=mail.example.com',
  ])('takes %s', (raw) => {
    expect(smtpUrlProblem(raw)).toBeUndefined();
    expect(loadConfig({ AIRLOCK_SMTP_URL: raw, AIRLOCK_EMAIL_FROM: 'airlock@example.com' }).AIRLOCK_SMTP_URL).toBe(raw);
  });

  it.each([
    ['another scheme', 'https://smtp.example.com'],
    ['no host', 'smtp://'],
    ['a path', 'smtp://smtp.example.com/inbox'],
    ['not a URL', 'smtp.example.com:25'],
    ['a logging option', 'smtp://smtp.example.com?logger=true'],
    ['a file access option', 'smtp://smtp.example.com?requireTLS=true&disableFileAccess=false'],
  ])('refuses %s, naming the variable and never repeating the URL', (_, raw) => {
    const message = loadError({ AIRLOCK_SMTP_URL: raw });
    expect(message).toMatch(/^ {2}AIRLOCK_SMTP_URL: must /m);
    const withSecret = loadError({ AIRLOCK_SMTP_URL: raw.replace('//', '//user:hunter2-secret@') });
    expect(withSecret).not.toContain('hunter2-secret');
  });

  it('finds the password, as written and decoded, for redaction', () => {
    expect(smtpUrlSecrets('smtps://airlock:p%40ss-word-1@smtp.example.com')).toEqual(['p%40ss-word-1', 'p@ss-word-1']);
    expect(smtpUrlSecrets('smtp://127.0.0.1:2525')).toEqual([]);
  });

  it('refuses a sender that is not one plain address', () => {
    expect(loadError({ AIRLOCK_EMAIL_FROM: 'Airlock <airlock@example.com>' })).toContain('AIRLOCK_EMAIL_FROM: must be one plain email address');
  });
});
