import { evaluatePolicy, evaluatePolicyBeforePreview, parsePolicy } from '../../../policy';

const policy = parsePolicy(
  `
version: 1
groups:
  owners: [alice, bob]
rules:
  - id: deny-outside
    match: { action: s3.copyObject, params: { destinationBucket: { notIn: [exports, scratch] } } }
    effect: deny
  - id: review-large
    match: { action: s3.copyObject, preview: { sourceBytes: { gte: 1000000000 } } }
    effect: review
    review: { approvers: [owners] }
  - id: deny-overwrite
    match: { action: s3.copyObject, preview: { destinationExists: { equals: true } } }
    effect: deny
    reason: Exports never overwrite
  - id: allow-small
    match: { action: s3.copyObject }
    effect: allow
`,
  'preview.yaml',
);

const request = (destinationBucket: string, preview?: Record<string, number | boolean>) => ({
  action: 's3.copyObject',
  params: { destinationBucket },
  requester: { id: 'etl-bot', source: 'api' },
  ...(preview ? { preview } : {}),
});

describe('rules on preview facts', () => {
  it('decides without a preview when a params rule comes first (no preview of denied requests)', () => {
    expect(evaluatePolicyBeforePreview(policy, request('elsewhere'))).toMatchObject({ effect: 'deny', ruleId: 'deny-outside' });
  });

  it('asks for the preview when a rule on preview facts is reached first', () => {
    expect(evaluatePolicyBeforePreview(policy, request('exports'))).toBeUndefined();
  });

  it('a large export needs review, a small one is allowed, an overwrite is denied', () => {
    expect(evaluatePolicy(policy, request('exports', { sourceBytes: 5_000_000_000, destinationExists: false }))).toMatchObject({
      effect: 'review',
      ruleId: 'review-large',
    });
    expect(evaluatePolicy(policy, request('exports', { sourceBytes: 10, destinationExists: false }))).toMatchObject({
      effect: 'allow',
      ruleId: 'allow-small',
    });
    expect(evaluatePolicy(policy, request('exports', { sourceBytes: 10, destinationExists: true }))).toMatchObject({
      effect: 'deny',
      ruleId: 'deny-overwrite',
    });
  });

  it('treats a failed preview (no facts) as missing values: preview rules do not match', () => {
    expect(evaluatePolicy(policy, request('exports', {}))).toMatchObject({ ruleId: 'allow-small' });
  });

  it('gives the same answer in two passes as in one, whatever the facts', () => {
    for (const bucket of ['exports', 'scratch', 'elsewhere']) {
      const factSets: Record<string, number | boolean>[] = [{ sourceBytes: 1 }, { sourceBytes: 2e9 }, { destinationExists: true }, {}];
      for (const facts of factSets) {
        const early = evaluatePolicyBeforePreview(policy, request(bucket));
        const full = evaluatePolicy(policy, request(bucket, facts));
        if (early) expect(full).toEqual(early);
      }
    }
  });

  it('refuses an unknown key under match with its line', () => {
    expect(() => parsePolicy('version: 1\nrules:\n  - id: r\n    match: { action: x, previews: {} }\n    effect: allow\n', 'bad.yaml')).toThrow(/bad\.yaml:4/);
  });
});
