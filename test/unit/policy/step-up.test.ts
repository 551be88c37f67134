import { evaluatePolicy, parsePolicy, type EvaluationRequest } from '../../../policy';
import { policyIssues } from '../../support/policy-issues';

/** A review rule with `extra` lines appended under `review:`. */
function policyText(extra: string, defaults = ''): string {
  return `version: 1
groups:
  owners: [alice, bob]
${defaults}rules:
  - id: reviewed
    match: { action: s3.copyObject }
    effect: review
    review:
      approvers: [owners]
${extra}`;
}

const issues = policyIssues;

const request: EvaluationRequest = { action: 's3.copyObject', params: {}, requester: { id: 'etl-bot', source: 'api' } };

describe('review.stepUp', () => {
  test("puts the maximum sign-in age in the decision's review, in milliseconds", () => {
    const policy = parsePolicy(policyText('      stepUp: { maxAge: 5m }\n'), 'policy.yaml');
    expect(evaluatePolicy(policy, request).review).toEqual({
      approverGroups: ['owners'],
      eligibleApprovers: ['alice', 'bob'],
      quorum: 1,
      timeoutMs: 86_400_000,
      channels: ['api'],
      stepUpMaxAgeMs: 300_000,
    });
  });

  test('absent, the review has no stepUpMaxAgeMs key at all', () => {
    const review = evaluatePolicy(parsePolicy(policyText(''), 'policy.yaml'), request).review;
    expect(review).toBeDefined();
    expect(Object.keys(review ?? {})).not.toContain('stepUpMaxAgeMs');
  });

  test("applies to the default's review too", () => {
    const policy = parsePolicy(
      'version: 1\ngroups:\n  owners: [alice]\nrules: []\ndefault: { effect: review, review: { approvers: owners, stepUp: { maxAge: 1h } } }\n',
      'policy.yaml',
    );
    expect(evaluatePolicy(policy, request).review?.stepUpMaxAgeMs).toBe(3_600_000);
  });

  test('accepts 1m to 24h, bounds included', () => {
    for (const maxAge of ['1m', '60s', '60000ms', '15m', '24h', '1d', '1440m']) {
      expect({ maxAge, issues: issues(policyText(`      stepUp: { maxAge: ${maxAge} }\n`)) }).toEqual({ maxAge, issues: [] });
    }
  });

  test('refuses an age outside 1m to 24h, a bad duration, or a missing maxAge, naming line and field', () => {
    expect(issues(policyText('      stepUp: { maxAge: 59s }\n'))).toEqual(
      ['policy.yaml:10: review.stepUp.maxAge: must be from 1m to 24h (is 59s)'].map(atRule),
    );
    expect(issues(policyText('      stepUp: { maxAge: 25h }\n'))).toEqual(
      ['policy.yaml:10: review.stepUp.maxAge: must be from 1m to 24h (is 25h)'].map(atRule),
    );
    expect(issues(policyText('      stepUp: { maxAge: 2d }\n'))).toEqual(['policy.yaml:10: review.stepUp.maxAge: must be from 1m to 24h (is 2d)'].map(atRule));
    expect(issues(policyText('      stepUp:\n        maxAge: 5 minutes\n'))).toEqual([
      atRule('policy.yaml:11: review.stepUp.maxAge: invalid duration "5 minutes": use a whole number and one unit (ms, s, m, h, d), e.g. 90s, 15m, 1h, 2d'),
    ]);
    expect(issues(policyText('      stepUp: { maxAge: 300 }\n'))).toEqual([atRule('policy.yaml:10: review.stepUp.maxAge: must be a duration from 1m to 24h')]);
    expect(issues(policyText('      stepUp: {}\n'))).toEqual([atRule('policy.yaml:10: review.stepUp.maxAge: required')]);
    expect(issues(policyText('      stepUp: 5m\n'))).toEqual([atRule('policy.yaml:10: review.stepUp: must be a mapping with maxAge')]);
    expect(issues(policyText('      stepUp: { maxAge: 5m, acr: mfa }\n'))).toEqual([
      atRule('policy.yaml:10: review.stepUp.acr: unknown field (expected one of: maxAge)'),
    ]);
  });

  test('is a property of the review: neither an escalation nor defaults.review takes one', () => {
    expect(issues(policyText('      escalation: { after: 1h, approvers: owners, stepUp: { maxAge: 5m } }\n'))).toEqual([
      atRule('policy.yaml:10: review.escalation.stepUp: unknown field (expected one of: after, approvers, channels)'),
    ]);
    expect(issues(policyText('', 'defaults:\n  review: { stepUp: { maxAge: 5m } }\n'))[0]).toContain('policy.yaml:5: defaults.review.stepUp: unknown field');
  });
});

/** The rule's path prefix, so the expectations above read as the review's fields. */
function atRule(line: string): string {
  return line.replace(': review.', ': rules[0].review.');
}
