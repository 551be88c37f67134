import { redactUrl } from '../../../audit/open-store';

describe('redactUrl', () => {
  test.each([
    ['postgres://airlock:s3cret@db:5432/audit', 'postgres://airlock:***@db:5432/audit'],
    ['postgresql://airlock:p%40ss@db/audit', 'postgresql://airlock:***@db/audit'],
    ['postgres://:s3cret@db/audit', 'postgres://:***@db/audit'],
    ['postgres://airlock@db/audit?sslmode=require&password=s3cret', 'postgres://airlock@db/audit?sslmode=require&password=***'],
    ['postgres://airlock@db/audit?PASSWORD=s3cret&sslmode=require', 'postgres://airlock@db/audit?PASSWORD=***&sslmode=require'],
  ])('hides the password of %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  test('leaves URLs without a password alone', () => {
    for (const url of ['postgres://airlock@127.0.0.1:5432/audit', 'sqlite:.airlock/audit.db', 'sqlite::memory:']) expect(redactUrl(url)).toBe(url);
  });
});
