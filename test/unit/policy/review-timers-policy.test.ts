import { evaluatePolicy, parsePolicy, PolicyFileError, type EvaluationRequest } from '../../../policy';

/** A review rule with `extra` lines appended under `review:`; defaults as given. */
function policyText(extra: string, defaults = ''): string {
  return `version: 1
groups:
  owners: [alice, bob]
  oncall: [carol, etl-bot]
${defaults}rules:
  - id: reviewed
    match: { action: s3.copyObject }
    effect: review
    review:
      approvers: [owners]
      timeout: 1h
${extra}`;
}

function issues(text: string): string[] {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (err) {
    if (err instanceof PolicyFileError) return err.issues.map((issue) => `${issue.line}: ${issue.path}: ${issue.message}`);
    throw err;
  }
  return [];
}

const request: EvaluationRequest = { action: 's3.copyObject', params: {}, requester: { id: 'etl-bot', source: 'api' } };

describe('review reminders and escalation in policy', () => {
  test('compile to milliseconds: reminders latest-first by offset, escalation approvers without the requester', () => {
    const policy = parsePolicy(
      policyText(`      remindBefore: [15m, 30m]
      escalation: { after: 20m, approvers: oncall }
`),
      'policy.yaml',
    );
    expect(evaluatePolicy(policy, request).review).toMatchObject({
      eligibleApprovers: ['alice', 'bob'],
      remindBeforeMs: [30 * 60_000, 15 * 60_000],
      escalation: { afterMs: 20 * 60_000, approverGroups: ['oncall'], eligibleApprovers: ['carol'], channels: ['api'] },
    });
  });

  test('escalation channels default to the review channels; a review without timers has none', () => {
    const withChannels = parsePolicy(policyText(`      channels: [api, 'slack:#owners']\n      escalation: { after: 20m, approvers: [oncall] }\n`), 'p.yaml');
    expect(evaluatePolicy(withChannels, request).review?.escalation?.channels).toEqual(['api', 'slack:#owners']);
    const plain = evaluatePolicy(parsePolicy(policyText(''), 'p.yaml'), request).review;
    expect(plain).not.toHaveProperty('remindBeforeMs');
    expect(plain).not.toHaveProperty('escalation');
  });

  test('defaults.review.remindBefore applies where a review sets none, skipping reminders that do not fit its window', () => {
    const defaults = 'defaults:\n  review: { remindBefore: [2h, 10m] }\n';
    expect(evaluatePolicy(parsePolicy(policyText('', defaults), 'p.yaml'), request).review?.remindBeforeMs).toEqual([10 * 60_000]);
    const own = parsePolicy(policyText('      remindBefore: 5m\n', defaults), 'p.yaml');
    expect(evaluatePolicy(own, request).review?.remindBeforeMs).toEqual([5 * 60_000]);
  });

  test('a reminder or escalation outside the review window, a duplicate reminder and an unknown group are refused by line', () => {
    expect(issues(policyText('      remindBefore: [1h, 10m, 10m]\n'))).toEqual([
      '12: rules[0].review.remindBefore[0]: must be shorter than the review timeout (1h)',
      '12: rules[0].review.remindBefore[2]: duplicate reminder (10m)',
    ]);
    expect(issues(policyText('      escalation: { after: 2h, approvers: [ghosts] }\n'))).toEqual([
      '12: rules[0].review.escalation.approvers[0]: unknown group "ghosts" (defined groups: owners, oncall)',
      '12: rules[0].review.escalation.after: must be shorter than the review timeout (1h)',
    ]);
    expect(issues(policyText('      escalation: { approvers: [oncall] }\n'))).toEqual(['12: rules[0].review.escalation.after: required']);
    expect(issues(policyText('      remindBefore: soon\n'))[0]).toContain('12: rules[0].review.remindBefore: invalid duration "soon"');
  });
});
