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

  test('an email channel names one plain address', () => {
    const policy = parsePolicy(policyNaming("[api, 'email:reviewers@example.com']", "['email:security+oncall@corp.example.co.uk']"), 'policy.yaml');
    expect(policy.document.rules[0]?.review?.channels).toEqual(['api', 'email:reviewers@example.com']);
    expect(policy.document.rules[0]?.review?.escalation?.channels).toEqual(['email:security+oncall@corp.example.co.uk']);
  });

  test('an email channel with a display name, a list, spaces or no address is refused, naming file, line and field', () => {
    const refused: [string, string][] = [
      ["'email:Ops <ops@example.com>'", 'no display name, list, quotes or spaces'],
      ["'email:a@example.com,b@example.com'", 'no display name, list, quotes or spaces'],
      ["'email:a@example.com b@example.com'", 'no display name, list, quotes or spaces'],
      ['"email:a@example.com\\r\\nBcc: x@evil.example"', 'on one line'],
      ["'email:reviewers'", 'must be an email address such as reviewers@example.com'],
      ["'email:reviewers@'", 'must be an email address such as reviewers@example.com'],
      ["'email:a..b@example.com'", 'part before the @'],
      ["'email:a@exa_mple.com'", 'domain is a host name'],
      ["'email:a@[127.0.0.1]'", 'domain is a host name'],
    ];
    for (const [channel, problem] of refused) {
      expect({ channel, issues: issuesOf(policyNaming(`[api, ${channel}]`)) }).toEqual({
        channel,
        issues: [{ path: 'rules[0].review.channels[1]', line: 9, message: expect.stringContaining(`email:<address>: `) }],
      });
      expect(issuesOf(policyNaming(`[api, ${channel}]`))[0]?.message).toContain(problem);
    }
    expect(() => parsePolicy(policyNaming("[api, 'email:Ops <ops@example.com>']"), 'policy.yaml')).toThrow(
      'policy.yaml:9: rules[0].review.channels[1]: email:<address>: must be one plain email address',
    );
    expect(issuesOf(policyNaming('[api]', '[api]', "['email:all@example.com; x@example.com']"))).toEqual([
      { path: 'defaults.review.channels[0]', line: 16, message: expect.stringContaining('email:<address>: must be one plain email address') },
    ]);
  });

  test('a kind with no registry entry is refused wherever a channel is named', () => {
    expect(issuesOf(policyNaming("'sms:+15550100'"))).toEqual([
      { path: 'rules[0].review.channels', line: 9, message: 'unknown channel kind "sms": use api, slack:<channel>, teams:<conversation> or email:<address>' },
    ]);
    expect(issuesOf(policyNaming('[api]', "['pager:oncall']"))).toEqual([
      {
        path: 'rules[0].review.escalation.channels[0]',
        line: 12,
        message: 'unknown channel kind "pager": use api, slack:<channel>, teams:<conversation> or email:<address>',
      },
    ]);
  });

  test('a channel without a target, or api with one, is refused', () => {
    for (const channel of ["'slack:'", "'teams: 19:x'", "'email:'", "'email: a@example.com'", 'slack', 'email', "'api:x'", "''"]) {
      expect({ channel, issues: issuesOf(policyNaming(`[${channel}]`)) }).toEqual({
        channel,
        issues: [{ path: 'rules[0].review.channels[0]', line: 9, message: 'must be api, slack:<channel>, teams:<conversation> or email:<address>' }],
      });
    }
  });

  test('every kind policy accepts has its registry entries: activities for the worker, a route for the API (or an explicit none)', () => {
    expect(CHANNEL_KINDS).toEqual(['api', ...MESSAGING_KINDS]);
    for (const kind of MESSAGING_KINDS) {
      expect(OUTBOUND_CHANNELS).toHaveProperty(kind);
      expect(INBOUND_CHANNELS).toHaveProperty(kind);
    }
    // Nobody decides by replying to an email or following a link in it: the console is where.
    expect(INBOUND_CHANNELS.email).toBe('none');
  });
});
