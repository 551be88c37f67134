import { defaultCatalogue } from '../../../operations/catalogue';
import { REDACTED, redactSensitiveParams, sensitiveParamNames } from '../../../telemetry/redact';

const NAMES = new Set(['policyDocument']);
const DOCUMENT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::secret-bucket/*'] }] };

describe('redactSensitiveParams', () => {
  it('replaces a sensitive param under `params` at any depth, keeping the others', () => {
    const line = {
      msg: 'x',
      params: { roleName: 'r', policyDocument: DOCUMENT },
      input: { action: 'iam.putRolePolicy', params: { roleName: 'r', policyDocument: DOCUMENT } },
      events: [{ data: { params: { policyDocument: DOCUMENT } } }],
    };
    expect(redactSensitiveParams(line, NAMES)).toEqual({
      msg: 'x',
      params: { roleName: 'r', policyDocument: REDACTED },
      input: { action: 'iam.putRolePolicy', params: { roleName: 'r', policyDocument: REDACTED } },
      events: [{ data: { params: { policyDocument: REDACTED } } }],
    });
    expect(line.params.policyDocument).toBe(DOCUMENT); // the caller's object is not changed
  });

  it('leaves a same-named field outside params, and anything unchanged, as it is', () => {
    const line = { policyDocument: 'not a param', params: { roleName: 'r' } };
    expect(redactSensitiveParams(line, NAMES)).toBe(line);
    expect(redactSensitiveParams(line, new Set())).toBe(line);
  });

  it('does not walk into class instances (a request, a socket, an error)', () => {
    class Holder {
      params = { policyDocument: DOCUMENT };
    }
    const holder = new Holder();
    const line = { req: holder };
    expect(redactSensitiveParams(line, NAMES)).toBe(line);
  });

  it('stops at a bounded depth and survives cycles', () => {
    const cyclic: Record<string, unknown> = { params: { policyDocument: DOCUMENT } };
    cyclic.self = cyclic;
    const redacted = redactSensitiveParams(cyclic, NAMES);
    expect((redacted.params as Record<string, unknown>).policyDocument).toBe(REDACTED);
  });
});

describe('sensitive params in the catalogue', () => {
  const catalogue = defaultCatalogue();

  it('marks the inline policy document of iam.putRolePolicy', () => {
    expect(sensitiveParamNames(catalogue.list()).has('policyDocument')).toBe(true);
  });

  it('names only params the operation has', () => {
    for (const operation of catalogue.list()) {
      const shape = (operation.params as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      for (const name of operation.sensitiveParams ?? [])
        expect([operation.name, Object.keys(shape)]).toEqual([operation.name, expect.arrayContaining([name])]);
    }
  });
});
