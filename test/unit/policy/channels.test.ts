import { parsePolicy, PolicyFileError } from '../../../policy';
import { CHANNEL_KINDS, MESSAGING_KINDS } from '../../../channels/kinds';
import { INBOUND_CHANNELS } from '../../../channels/inbound-registry';
import { OUTBOUND_CHANNELS } from '../../../channels/outbound-registry';

/** A policy naming channels (YAML text) in a review (line 9), its escalation (line 12) and the defaults (line 16). */
function policyNaming(channels: string, escalation = "['slack:#security']", defaults = '[api]'): string {
  return `version: 1
groups:
  data-owners: [alice, bob]
rules:
  - id: review-exports
    match: { action: s3.copyObject }
    effect: review
    review:
      channels: ${channels}
      approvers: [data-owners]
      escalation:
        channels: ${escalation}
        after: 30m
        approvers: [data-owners]
defaults:
  review: { channels: ${defaults} }
`;
}

function issuesOf(text: string): PolicyFileError['issues'] {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (err) {
    if (err instanceof PolicyFileError) return err.issues;
    throw err;
  }
  throw new Error('the policy was accepted');
}

describe('policy channels: only kinds Airlock can deliver to', () => {
  test('api, Slack channels and Teams conversations load', () => {
    const policy = parsePolicy(policyNaming("[api, 'slack:#data-approvals', 'slack:C0123ABCDEF', 'teams:19:4b2c@thread.tacv2']"), 'policy.yaml');
    expect(policy.document.rules[0]?.review?.channels).toEqual(['api', 'slack:#data-approvals', 'slack:C0123ABCDEF', 'teams:19:4b2c@thread.tacv2']);
  });

  test('an email channel is refused, naming file, line and field, until email exists', () => {
    const issues = issuesOf(policyNaming("[api, 'email:owners@example.com']"));
    expect(issues).toEqual([
      {
        path: 'rules[0].review.channels[1]',
        line: 9,
        message: 'no email channel is available yet: use api, slack:<channel> or teams:<conversation>',
      },
    ]);
    expect(() => parsePolicy(policyNaming("[api, 'email:owners@example.com']"), 'policy.yaml')).toThrow(
      'policy.yaml:9: rules[0].review.channels[1]: no email channel is available yet',
    );
  });

  test('a kind with no registry entry is refused wherever a channel is named', () => {
    expect(issuesOf(policyNaming("'sms:+15550100'"))).toEqual([
      { path: 'rules[0].review.channels', line: 9, message: 'unknown channel kind "sms": use api, slack:<channel> or teams:<conversation>' },
    ]);
    expect(issuesOf(policyNaming('[api]', "['pager:oncall']"))).toEqual([
      { path: 'rules[0].review.escalation.channels[0]', line: 12, message: 'unknown channel kind "pager": use api, slack:<channel> or teams:<conversation>' },
    ]);
    expect(issuesOf(policyNaming('[api]', '[api]', "['email:all@example.com']"))).toEqual([
      { path: 'defaults.review.channels[0]', line: 16, message: 'no email channel is available yet: use api, slack:<channel> or teams:<conversation>' },
    ]);
  });

  test('a channel without a target, or api with one, is refused', () => {
    for (const channel of ["'slack:'", "'teams: 19:x'", 'slack', "'api:x'", "''"]) {
      expect({ channel, issues: issuesOf(policyNaming(`[${channel}]`)) }).toEqual({
        channel,
        issues: [{ path: 'rules[0].review.channels[0]', line: 9, message: 'must be api, slack:<channel> or teams:<conversation>' }],
      });
    }
  });

  test('every kind policy accepts has its registry entries: activities for the worker, a route for the API', () => {
    expect(CHANNEL_KINDS).toEqual(['api', ...MESSAGING_KINDS]);
    for (const kind of MESSAGING_KINDS) {
      expect(OUTBOUND_CHANNELS).toHaveProperty(kind);
      expect(INBOUND_CHANNELS).toHaveProperty(kind);
    }
  });
});
