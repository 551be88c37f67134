import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { qualifiesForPool } from '../../../domain/approver-pool';

describe('qualifiesForPool', () => {
  const pool = ['alice', 'bob'];

  test("one of the pool's identity ids qualifies, with or without IdP groups", () => {
    expect(qualifiesForPool('alice', undefined, pool, undefined)).toBe(true);
    expect(qualifiesForPool('alice', [], pool, ['sec'])).toBe(true);
    expect(qualifiesForPool('bob', ['other'], pool, [])).toBe(true);
  });

  test('anyone else qualifies only through an IdP group both sides name, compared exactly', () => {
    expect(qualifiesForPool('dave', ['sec-oncall'], pool, ['sec-oncall'])).toBe(true);
    expect(qualifiesForPool('dave', ['x', 'okta:Security Team'], pool, ['okta:Security Team', 'y'])).toBe(true);
    expect(qualifiesForPool('dave', ['Sec-Oncall', 'sec-oncall ', 'sec'], pool, ['sec-oncall'])).toBe(false);
    expect(qualifiesForPool('dave', ['sec-oncall'], pool, ['other'])).toBe(false);
  });

  test('no IdP groups on either side (a chat click, an API key, a decision from before IdP groups): the ids alone decide', () => {
    expect(qualifiesForPool('dave', undefined, pool, ['sec-oncall'])).toBe(false);
    expect(qualifiesForPool('dave', [], pool, ['sec-oncall'])).toBe(false);
    expect(qualifiesForPool('dave', ['sec-oncall'], pool, undefined)).toBe(false);
    expect(qualifiesForPool('dave', ['sec-oncall'], pool, [])).toBe(false);
    expect(qualifiesForPool('dave', undefined, [], undefined)).toBe(false);
  });

  test('is import-free, so the workflow bundle can take it', () => {
    const source = readFileSync(join(__dirname, '..', '..', '..', 'domain', 'approver-pool.ts'), 'utf8');
    expect(source).not.toMatch(/^\s*import\b/m);
  });
});
