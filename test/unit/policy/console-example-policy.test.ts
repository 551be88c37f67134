import { join } from 'node:path';
import { consoleRolesOf, evaluatePolicy, loadPolicyFile } from '../../../policy';

const policy = loadPolicyFile(join(__dirname, '..', '..', '..', 'examples', 'console', 'policy.yaml'));

describe('examples/console/policy.yaml (docs/console.md, npm run screenshot:console)', () => {
  test('role changes go to security, named or through the IdP group sec-oncall, with a five-minute step-up', () => {
    const decision = evaluatePolicy(policy, {
      action: 'iam.putRolePolicy',
      params: { accountId: '123456789012', roleName: 'airlock-executor', policyName: 'p', policyDocument: { Version: '2012-10-17', Statement: [] } },
      requester: { id: 'etl-bot', source: 'api' },
    });
    expect(decision).toMatchObject({
      effect: 'review',
      ruleId: 'review-role-permissions',
      review: { eligibleApprovers: ['alice', 'dave'], poolIdpGroups: ['sec-oncall'], stepUpMaxAgeMs: 5 * 60_000 },
    });
  });

  test('gives console roles by group: reviewers, the auditor, and nobody else', () => {
    expect(consoleRolesOf(policy, 'bob', [])).toEqual(['reviewer']);
    expect(consoleRolesOf(policy, 'frank', ['sec-oncall'])).toEqual(['reviewer']);
    expect(consoleRolesOf(policy, 'erin', [])).toEqual(['auditor']);
    expect(consoleRolesOf(policy, 'mallory', ['staff'])).toEqual([]);
  });
});
