import { join } from 'node:path';
import { evaluatePolicy, groupMembers, loadPolicyFile, resolveChannelIdentity } from '../../../policy';
import type { JsonObject } from '../../../domain/types';

const ROOT = join(__dirname, '..', '..', '..');
const policy = loadPolicyFile(join(ROOT, 'config', 'example-policy.yaml'));

function copyTo(destinationBucket: string | undefined, requester = 'etl-bot') {
  const params: JsonObject = { sourceBucket: 'airlock-source', sourceKey: 'reports/2026-q3.csv', destinationKey: 'finance/2026-q3.csv' };
  if (destinationBucket !== undefined) params.destinationBucket = destinationBucket;
  return evaluatePolicy(policy, { action: 's3.copyObject', params, requester: { id: requester, source: 'api' } });
}

describe('config/example-policy.yaml (what npm start loads)', () => {
  test('copies to airlock-exports need one data owner within the hour, with a reminder and an escalation to security', () => {
    expect(copyTo('airlock-exports')).toEqual({
      effect: 'review',
      ruleId: 'review-exports',
      reason: 'Data leaves its home bucket',
      risk: 'high',
      policyHash: policy.hash,
      review: {
        approverGroups: ['data-owners'],
        eligibleApprovers: ['alice', 'bob', 'carol'],
        quorum: 1,
        timeoutMs: 60 * 60 * 1000,
        channels: ['api'],
        remindBeforeMs: [15 * 60 * 1000],
        escalation: { afterMs: 30 * 60 * 1000, approverGroups: ['security'], eligibleApprovers: ['dave'], channels: ['api'] },
      },
    });
  });

  test('a data owner asking for an export cannot approve it', () => {
    expect(copyTo('airlock-exports', 'alice').review?.eligibleApprovers).toEqual(['bob', 'carol']);
  });

  test('copies to airlock-scratch are allowed at once', () => {
    expect(copyTo('airlock-scratch')).toMatchObject({ effect: 'allow', ruleId: 'auto-allow-scratch', risk: 'low' });
  });

  test('only from the source buckets the scratch rule names: scratch cannot launder other data into a reviewed copy', () => {
    const intoScratch = (sourceBucket: string | undefined) => {
      const params: JsonObject = { sourceKey: 'hr/salaries.csv', destinationBucket: 'airlock-scratch', destinationKey: 'bait.csv' };
      if (sourceBucket !== undefined) params.sourceBucket = sourceBucket;
      return evaluatePolicy(policy, { action: 's3.copyObject', params, requester: { id: 'etl-bot', source: 'api' } });
    };
    for (const bucket of ['hr-data', 'airlock-scratch', 'airlock-exports', undefined]) {
      expect(intoScratch(bucket)).toMatchObject({ effect: 'review', ruleId: 'review-exports' });
    }
  });

  test('copies anywhere else, or with no destination, are denied', () => {
    for (const bucket of ['somewhere-else', 'airlock-exports-2', 'AIRLOCK-EXPORTS', undefined]) {
      expect(copyTo(bucket)).toMatchObject({ effect: 'deny', ruleId: 'deny-unlisted-destinations' });
    }
  });

  test('actions no rule names are denied by default', () => {
    const decision = evaluatePolicy(policy, { action: 'iam.putRolePolicy', params: {}, requester: { id: 'etl-bot', source: 'api' } });
    expect(decision).toMatchObject({ effect: 'deny', ruleId: 'default', reason: 'No rule matched' });
  });

  test('identities and groups', () => {
    expect(groupMembers(policy, 'data-owners')).toEqual(['alice', 'bob', 'carol']);
    expect(resolveChannelIdentity(policy, 'slack', 'U01ALICE')).toBe('alice');
    expect(Object.keys(policy.document.identities ?? {})).toContain('etl-bot');
  });
});

describe('test/fixtures/policy.yaml (the integration tests policy)', () => {
  test('loads', () => {
    expect(() => loadPolicyFile(join(ROOT, 'test', 'fixtures', 'policy.yaml'))).not.toThrow();
  });
});
