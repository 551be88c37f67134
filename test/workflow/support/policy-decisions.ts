import type { EscalationRequirement, PolicyDecision, ReviewRequirement } from '../../../domain/types';

export const HOUR_MS = 60 * 60_000;

const POLICY_HASH = 'sha256:workflow-test-policy';

/** A decision as the policy activity returns it: what the workflow acts on, already resolved. */
export function reviewDecision(review: Partial<ReviewRequirement> & { eligibleApprovers: string[] }): PolicyDecision {
  return {
    effect: 'review',
    ruleId: 'needs-review',
    reason: 'copies into the exports bucket',
    risk: 'high',
    policyHash: POLICY_HASH,
    review: { approverGroups: ['data-owners'], quorum: 1, timeoutMs: 24 * HOUR_MS, channels: ['api'], ...review },
  };
}

/** The escalation part of a review: who may also vote after `afterMs`, and where they are told. */
export function escalation(afterMs: number, eligibleApprovers: string[], channels: string[] = ['api']): EscalationRequirement {
  return { afterMs, approverGroups: ['security-oncall'], eligibleApprovers, channels };
}

export const DENIED: PolicyDecision = {
  effect: 'deny',
  ruleId: 'no-exports-from-prod',
  reason: 'production data never leaves the account',
  risk: 'critical',
  policyHash: POLICY_HASH,
};

export const ALLOWED: PolicyDecision = {
  effect: 'allow',
  ruleId: 'scratch-is-free',
  reason: 'the scratch bucket is disposable',
  risk: 'low',
  policyHash: POLICY_HASH,
};
