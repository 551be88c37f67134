import { consoleRolesOf, parsePolicy } from '../../../policy';
import { policyIssues } from '../../support/policy-issues';

const issues = policyIssues;

const GROUPS = `version: 1
groups:
  data-owners: [alice, bob]
  security: { members: [dave], idpGroups: [sec-oncall, "okta:Security Team"] }
  auditors: { idpGroups: [audit] }
  admins: [erin]
`;

describe('consoleRolesOf', () => {
  const policy = parsePolicy(
    `${GROUPS}roles:
  reviewer: [data-owners, security]
  auditor: auditors
  admin: [admins, security]
rules: []
`,
    'policy.yaml',
  );

  test('a role for each listed group someone is a member of, directly', () => {
    expect(consoleRolesOf(policy, 'alice', [])).toEqual(['reviewer']);
    expect(consoleRolesOf(policy, 'erin', [])).toEqual(['admin']);
    expect(consoleRolesOf(policy, 'dave', [])).toEqual(['reviewer', 'admin']);
  });

  test("or through one of the groups' IdP groups, compared exactly", () => {
    expect(consoleRolesOf(policy, 'frank', ['okta:Security Team'])).toEqual(['reviewer', 'admin']);
    expect(consoleRolesOf(policy, 'grace', ['audit'])).toEqual(['auditor']);
    expect(consoleRolesOf(policy, 'grace', ['audit', 'sec-oncall', 'unrelated'])).toEqual(['reviewer', 'auditor', 'admin']);
    expect(consoleRolesOf(policy, 'grace', ['Audit', 'okta:security team'])).toEqual([]);
  });

  test('nobody else has a role; a group of the policy named only by a requester rule gives none', () => {
    expect(consoleRolesOf(policy, 'mallory', [])).toEqual([]);
    expect(consoleRolesOf(policy, 'etl-bot', ['data-owners'])).toEqual([]);
  });

  test('without a roles section, everyone who signs in is a reviewer, and only that', () => {
    const open = parsePolicy(`${GROUPS}rules: []\n`, 'policy.yaml');
    expect(consoleRolesOf(open, 'mallory', [])).toEqual(['reviewer']);
    expect(consoleRolesOf(open, 'erin', ['audit'])).toEqual(['reviewer']);
  });

  test('an empty role list gives that role to nobody', () => {
    const closed = parsePolicy(`${GROUPS}roles: { reviewer: [] }\nrules: []\n`, 'policy.yaml');
    expect(consoleRolesOf(closed, 'alice', ['sec-oncall'])).toEqual([]);
  });
});

describe('roles: load errors name file, line and field', () => {
  test('an unknown group, wherever it is named', () => {
    expect(issues(`${GROUPS}roles:\n  reviewer: [data-owners, ghosts]\n  admin: nobody\nrules: []\n`)).toEqual([
      'policy.yaml:8: roles.reviewer[1]: unknown group "ghosts" (defined groups: data-owners, security, auditors, admins)',
      'policy.yaml:9: roles.admin: unknown group "nobody" (defined groups: data-owners, security, auditors, admins)',
    ]);
  });

  test('roles that are not console roles: requester and operator belong to API keys', () => {
    expect(issues(`${GROUPS}roles:\n  reviewer: data-owners\n  operator: admins\n  requester: admins\nrules: []\n`)).toEqual([
      'policy.yaml:9: roles.operator: unknown field (expected one of: reviewer, auditor, admin)',
      'policy.yaml:10: roles.requester: unknown field (expected one of: reviewer, auditor, admin)',
    ]);
  });

  test('reviewer is required once there is a roles section', () => {
    expect(issues(`${GROUPS}roles:\n  auditor: auditors\nrules: []\n`)).toEqual(['policy.yaml:7: roles.reviewer: required']);
  });

  test('a group name that is not one, or a section that is not a mapping', () => {
    expect(issues(`${GROUPS}roles: { reviewer: ["group:data-owners"] }\nrules: []\n`)).toEqual([
      'policy.yaml:7: roles.reviewer[0]: must be a group name: 1-64 letters, digits and _.- starting with a letter or digit',
    ]);
    expect(issues(`${GROUPS}roles: [reviewer]\nrules: []\n`)).toEqual([
      'policy.yaml:7: roles: must be a mapping of console roles (reviewer, auditor, admin) to group names',
    ]);
  });
});
