import {
  evaluatePolicy,
  idpGroupsOfGroups,
  isGroupMember,
  membersOfGroups,
  parsePolicy,
  reviewOutlook,
  type EvaluationRequest,
  type LoadedPolicy,
} from '../../../policy';
import { policyIssues } from '../../support/policy-issues';

const issues = policyIssues;

/** A policy with these lines under `groups:` and no rules. */
const withGroups = (groups: string): string => `version: 1\ngroups:\n${groups}\nrules: []\n`;

const request = (requester = 'etl-bot'): EvaluationRequest => ({ action: 's3.copyObject', params: {}, requester: { id: requester, source: 'api' } });

describe('groups: the list form and the mapping form', () => {
  test('every group parses to { members, idpGroups }, whichever form it was written in', () => {
    const policy = parsePolicy(
      withGroups(`  data-owners: [alice, bob]
  solo: dave
  empty: []
  security: { members: [dave], idpGroups: [sec-oncall, "okta:Security Team"] }
  idp-only: { idpGroups: sre }
  members-only: { members: carol }
  none-yet: { members: [] }`),
      'policy.yaml',
    );
    expect(policy.document.groups).toEqual({
      'data-owners': { members: ['alice', 'bob'], idpGroups: [] },
      solo: { members: ['dave'], idpGroups: [] },
      empty: { members: [], idpGroups: [] },
      security: { members: ['dave'], idpGroups: ['sec-oncall', 'okta:Security Team'] },
      'idp-only': { members: [], idpGroups: ['sre'] },
      'members-only': { members: ['carol'], idpGroups: [] },
      'none-yet': { members: [], idpGroups: [] },
    });
  });

  test('IdP group names are kept exactly: case, spaces inside, punctuation, up to 256 characters', () => {
    const long = 'g'.repeat(256);
    const policy = parsePolicy(withGroups(`  g: { idpGroups: ["Okta:Security Team", "CN=Ops,OU=Groups,DC=example", "${long}", "équipe-sécurité"] }`), 'p.yaml');
    expect(policy.document.groups?.g?.idpGroups).toEqual(['Okta:Security Team', 'CN=Ops,OU=Groups,DC=example', long, 'équipe-sécurité']);
  });

  test('the parsed groups are frozen with the rest of the document', () => {
    const policy = parsePolicy(withGroups('  g: { members: [alice], idpGroups: [x] }'), 'p.yaml');
    expect(Object.isFrozen(policy.document.groups?.g)).toBe(true);
    expect(Object.isFrozen(policy.document.groups?.g?.idpGroups)).toBe(true);
  });
});

describe('groups: load errors name file, line and field', () => {
  test('in the list form, as before', () => {
    expect(issues(withGroups('  g: [alice, "bad id"]'))).toEqual([
      'policy.yaml:3: groups.g[1]: must be an identity id: 2-64 letters, digits and _+=,.@- starting with a letter or digit',
    ]);
    expect(issues(withGroups('  g: [alice, 5]'))).toEqual(['policy.yaml:3: groups.g[1]: must be an identity id']);
    expect(issues(withGroups('  g: "bad id"'))).toEqual([
      'policy.yaml:3: groups.g: must be an identity id: 2-64 letters, digits and _+=,.@- starting with a letter or digit',
    ]);
  });

  test('a value of neither form names both', () => {
    const both = 'must be an identity id, a list of them, or a mapping with members and/or idpGroups';
    expect(issues(withGroups('  g: 5'))).toEqual([`policy.yaml:3: groups.g: ${both}`]);
    expect(issues(withGroups('  g:'))).toEqual([`policy.yaml:3: groups.g: ${both}`]);
  });

  test('in the mapping form, at the member or IdP group at fault', () => {
    expect(issues(withGroups('  g:\n    members: [alice, "bad id"]'))).toEqual([
      'policy.yaml:4: groups.g.members[1]: must be an identity id: 2-64 letters, digits and _+=,.@- starting with a letter or digit',
    ]);
    expect(issues(withGroups('  g: { members: 5 }'))).toEqual(['policy.yaml:3: groups.g.members: must be an identity id or a list of them']);
    expect(issues(withGroups('  g:\n    idpGroups:\n      - ""\n      - " padded"\n      - "tab\\there"\n      - 7\n      - ok'))).toEqual([
      'policy.yaml:5: groups.g.idpGroups[0]: must be an IdP group name: 1-256 characters, no control characters',
      'policy.yaml:6: groups.g.idpGroups[1]: must not begin or end with whitespace',
      'policy.yaml:7: groups.g.idpGroups[2]: must be an IdP group name: 1-256 characters, no control characters',
      'policy.yaml:8: groups.g.idpGroups[3]: must be an IdP group name',
    ]);
    expect(issues(withGroups(`  g: { idpGroups: ["${'g'.repeat(257)}"] }`))).toEqual([
      'policy.yaml:3: groups.g.idpGroups[0]: must be an IdP group name: 1-256 characters, no control characters',
    ]);
    expect(issues(withGroups('  g: { idpGroups: "trailing " }'))).toEqual(['policy.yaml:3: groups.g.idpGroups: must not begin or end with whitespace']);
  });

  test('unknown keys, each on its own line', () => {
    expect(issues(withGroups('  g:\n    member: [alice]\n    idpGroup: x'))).toEqual([
      'policy.yaml:4: groups.g.member: unknown field (expected one of: members, idpGroups)',
      'policy.yaml:5: groups.g.idpGroup: unknown field (expected one of: members, idpGroups)',
    ]);
  });

  test('an empty mapping is refused: an empty group is written []', () => {
    expect(issues(withGroups('  g: {}'))).toEqual(['policy.yaml:3: groups.g: must have members and/or idpGroups (an empty group is written [])']);
  });

  test('a rule may not match requesters on a group with IdP groups: requests carry none, so a deny would let its people through', () => {
    const text = `version: 1
groups:
  agents: { members: [etl-bot], idpGroups: [bots] }
  plain: [etl-bot]
rules:
  - id: no-iam-for-agents
    match: { action: 'iam.*', requester: [group:plain, group:agents] }
    effect: deny
`;
    expect(issues(text)).toEqual([
      'policy.yaml:7: rules[0].match.requester[1]: group "agents" has idpGroups, which a request does not carry: match on a group of members only',
    ]);
  });
});

describe('quorum at load with IdP groups', () => {
  const policyWith = (security: string, quorum: number): string => `version: 1
groups:
  owners: [alice]
  security: ${security}
rules:
  - id: reviewed
    match: { action: s3.copyObject }
    effect: review
    review: { approvers: [owners, security], quorum: ${quorum} }
`;

  test('is not refused when an approver group names IdP groups: their size is known only at sign-in', () => {
    expect(issues(policyWith('{ members: [dave], idpGroups: [sec-oncall] }', 5))).toEqual([]);
    expect(issues(policyWith('{ idpGroups: [sec-oncall] }', 3))).toEqual([]);
  });

  test('is still refused when no approver group does, in either form', () => {
    const refused = ['policy.yaml:9: rules[0].review.quorum: quorum 3 is more than the 2 distinct members of owners, security'];
    expect(issues(policyWith('[dave]', 3))).toEqual(refused);
    expect(issues(policyWith('{ members: [dave] }', 3))).toEqual(refused);
    expect(issues(policyWith('{ members: [dave], idpGroups: [] }', 3))).toEqual(refused);
  });

  test("an escalation's IdP groups do not make the review's own quorum reachable", () => {
    const text = `version: 1
groups:
  owners: [alice]
  security: { idpGroups: [sec-oncall] }
rules:
  - id: reviewed
    match: { action: s3.copyObject }
    effect: review
    review: { approvers: [owners], quorum: 2, escalation: { after: 1h, approvers: [security] } }
`;
    expect(issues(text)).toEqual(['policy.yaml:9: rules[0].review.quorum: quorum 2 is more than the 1 distinct member of owners']);
  });
});

describe('evaluation: poolIdpGroups', () => {
  const policy = parsePolicy(
    `version: 1
groups:
  owners: { members: [alice, bob], idpGroups: [data-owners, "okta:Data"] }
  more-owners: { members: [bob], idpGroups: ["okta:Data", a-owners] }
  security: { members: [dave], idpGroups: [sec-oncall] }
  nobody-listed: { idpGroups: [sre] }
rules:
  - id: reviewed
    match: { action: s3.copyObject }
    effect: review
    review:
      approvers: [owners, more-owners]
      quorum: 3
      timeout: 1h
      escalation: { after: 30m, approvers: [security] }
  - id: idp-only
    match: { action: s3.exportPrefix }
    effect: review
    review: { approvers: nobody-listed, quorum: 2 }
`,
    'policy.yaml',
  );

  test("the review's and the escalation's IdP groups, distinct and sorted; the members as before, the requester removed", () => {
    expect(evaluatePolicy(policy, request('alice'))).toEqual({
      effect: 'review',
      ruleId: 'reviewed',
      reason: 'Review required by policy rule reviewed',
      risk: 'medium',
      policyHash: policy.hash,
      review: {
        approverGroups: ['owners', 'more-owners'],
        eligibleApprovers: ['bob'],
        poolIdpGroups: ['a-owners', 'data-owners', 'okta:Data'],
        quorum: 3,
        timeoutMs: 3_600_000,
        channels: ['api'],
        escalation: { afterMs: 1_800_000, approverGroups: ['security'], eligibleApprovers: ['dave'], poolIdpGroups: ['sec-oncall'], channels: ['api'] },
      },
    });
  });

  test('a quorum beyond the listed members is not judged unattainable: it is a review, not a deny', () => {
    expect(evaluatePolicy(policy, { ...request(), action: 's3.exportPrefix' })).toMatchObject({
      effect: 'review',
      review: { eligibleApprovers: [], poolIdpGroups: ['sre'], quorum: 2 },
    });
  });

  test('the review outlook agrees: required, never denied for want of listed members', () => {
    expect(reviewOutlook(policy, 's3.exportPrefix', 'etl-bot')).toBe('required');
    expect(reviewOutlook(policy, 's3.copyObject', 'alice')).toBe('required');
  });
});

describe('evaluation: a policy without IdP groups or step-up decides exactly as before', () => {
  const review = `rules:
  - id: reviewed
    match: { action: s3.copyObject }
    effect: review
    risk: high
    review:
      approvers: [owners]
      quorum: 2
      timeout: 1h
      remindBefore: 15m
      escalation: { after: 30m, approvers: [security] }
`;
  const listForm = parsePolicy(`version: 1\ngroups:\n  owners: [alice, bob, carol]\n  security: dave\n${review}`, 'list.yaml');
  const mappingForm = parsePolicy(
    `version: 1\ngroups:\n  owners: { members: [alice, bob, carol] }\n  security: { members: dave, idpGroups: [] }\n${review}`,
    'mapping.yaml',
  );

  test('the decision is byte for byte the JSON it was before IdP groups and step-up existed', () => {
    expect(JSON.stringify({ ...evaluatePolicy(listForm, request('alice')), policyHash: 'sha256:x' })).toBe(
      '{"effect":"review","ruleId":"reviewed","reason":"Review required by policy rule reviewed","risk":"high","policyHash":"sha256:x",' +
        '"review":{"approverGroups":["owners"],"eligibleApprovers":["bob","carol"],"quorum":2,"timeoutMs":3600000,"channels":["api"],' +
        '"remindBeforeMs":[900000],"escalation":{"afterMs":1800000,"approverGroups":["security"],"eligibleApprovers":["dave"],"channels":["api"]}}}',
    );
  });

  test('the mapping form without IdP groups gives the same bytes as the list form', () => {
    for (const requester of ['etl-bot', 'alice', 'dave']) {
      const list = JSON.stringify({ ...evaluatePolicy(listForm, request(requester)), policyHash: '' });
      expect(JSON.stringify({ ...evaluatePolicy(mappingForm, request(requester)), policyHash: '' })).toBe(list);
    }
  });

  test('an unattainable quorum is still a deny without IdP groups', () => {
    const tight = parsePolicy(
      `version: 1\ngroups:\n  owners: { members: [alice, bob] }\nrules:\n  - id: r\n    match: { action: s3.copyObject }\n    effect: review\n    review: { approvers: owners, quorum: 2 }\n`,
      'tight.yaml',
    );
    expect(evaluatePolicy(tight, request('alice'))).toMatchObject({ effect: 'deny', ruleId: 'r' });
    expect(evaluatePolicy(tight, request('alice')).reason).toContain('Quorum unattainable');
    expect(reviewOutlook(tight, 's3.copyObject', 'alice')).toBe('denied');
  });
});

describe('membersOfGroups, idpGroupsOfGroups, isGroupMember', () => {
  const policy: LoadedPolicy = parsePolicy(
    withGroups(`  owners: { members: [carol, alice], idpGroups: [okta-owners, data] }
  more: { members: [alice, bob], idpGroups: [data] }
  plain: [dave]`),
    'p.yaml',
  );
  const { document } = policy;

  test('distinct and sorted across groups; unknown groups (prototype names too) contribute nothing', () => {
    expect(membersOfGroups(document, ['owners', 'more', 'ghost'])).toEqual(['alice', 'bob', 'carol']);
    expect(idpGroupsOfGroups(document, ['owners', 'more', 'plain', 'constructor'])).toEqual(['data', 'okta-owners']);
    expect(idpGroupsOfGroups(document, ['plain'])).toEqual([]);
  });

  test("a member directly, or through one of the group's IdP groups, compared exactly", () => {
    expect(isGroupMember(policy, 'owners', 'alice', [])).toBe(true);
    expect(isGroupMember(policy, 'owners', 'erin', ['okta-owners'])).toBe(true);
    expect(isGroupMember(policy, 'owners', 'erin', ['Okta-Owners', 'okta-owners '])).toBe(false);
    expect(isGroupMember(policy, 'plain', 'erin', ['okta-owners'])).toBe(false);
    expect(isGroupMember(policy, 'toString', 'alice', ['data'])).toBe(false);
  });
});
