import { groupMembers, parsePolicy, resolveChannelIdentity } from '../../../policy';

const policy = parsePolicy(
  `version: 1
identities:
  alice: { email: Alice@Example.com, slack: U01ALICE, teams: 00000000-0000-0000-0000-00000000A11C }
  bob: { slack: U02BOB }
  etl-bot:
groups:
  data-owners: [carol, alice, bob, alice]
  security: dave
  empty: []
rules: []
`,
  'identities.yaml',
);

describe('resolveChannelIdentity', () => {
  test('maps each channel id to its identity', () => {
    expect(resolveChannelIdentity(policy, 'slack', 'U01ALICE')).toBe('alice');
    expect(resolveChannelIdentity(policy, 'slack', 'U02BOB')).toBe('bob');
    expect(resolveChannelIdentity(policy, 'teams', '00000000-0000-0000-0000-00000000a11c')).toBe('alice');
    expect(resolveChannelIdentity(policy, 'email', 'alice@example.com')).toBe('alice');
  });

  test('emails and Teams object ids compare case-insensitively; Slack ids exactly', () => {
    expect(resolveChannelIdentity(policy, 'email', 'ALICE@EXAMPLE.COM')).toBe('alice');
    expect(resolveChannelIdentity(policy, 'teams', '00000000-0000-0000-0000-00000000A11C')).toBe('alice');
    expect(resolveChannelIdentity(policy, 'slack', 'u01alice')).toBeUndefined();
  });

  test('an id from another channel, or an unknown id, resolves to nobody', () => {
    expect(resolveChannelIdentity(policy, 'teams', 'U01ALICE')).toBeUndefined();
    expect(resolveChannelIdentity(policy, 'slack', 'U09NOBODY')).toBeUndefined();
    expect(resolveChannelIdentity(policy, 'slack', 'alice')).toBeUndefined();
  });

  test('works on a policy without an identities section', () => {
    const bare = parsePolicy('version: 1\nrules: []\n', 'bare.yaml');
    expect(resolveChannelIdentity(bare, 'slack', 'U01ALICE')).toBeUndefined();
  });
});

describe('groupMembers', () => {
  test('distinct members, sorted', () => {
    expect(groupMembers(policy, 'data-owners')).toEqual(['alice', 'bob', 'carol']);
  });

  test('a single member may be written without a list', () => {
    expect(groupMembers(policy, 'security')).toEqual(['dave']);
  });

  test('unknown and empty groups have no members, including names of Object.prototype members', () => {
    expect(groupMembers(policy, 'empty')).toEqual([]);
    expect(groupMembers(policy, 'nobody')).toEqual([]);
    expect(groupMembers(policy, 'constructor')).toEqual([]);
    expect(groupMembers(policy, 'toString')).toEqual([]);
  });

  test('returns a copy the caller may change', () => {
    groupMembers(policy, 'data-owners').push('mallory');
    expect(groupMembers(policy, 'data-owners')).toEqual(['alice', 'bob', 'carol']);
  });
});
