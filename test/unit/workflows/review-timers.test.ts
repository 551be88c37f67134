import { eligibleApprovers, pendingApprovers } from '../../../workflows/approvers';
import { refuseDecision } from '../../../workflows/refusals';
import { reviewTimers } from '../../../workflows/review-timers';
import type { ActionState, ReviewRequirement } from '../../../domain/types';
import { sampleActionState } from '../../support/action-state';

const MINUTE = 60_000;
const escalation = { afterMs: 30 * MINUTE, approverGroups: ['oncall'], eligibleApprovers: ['bob', 'carol'], channels: ['api'] };
const review: ReviewRequirement = {
  approverGroups: ['owners'],
  eligibleApprovers: ['alice', 'bob'],
  quorum: 2,
  timeoutMs: 60 * MINUTE,
  channels: ['api'],
  remindBeforeMs: [30 * MINUTE, 10 * MINUTE],
  escalation,
};

describe('reviewTimers', () => {
  it('lists reminders and the escalation in time order, the escalation first at the same time', () => {
    expect(reviewTimers(review, 1_000, 1_000 + 60 * MINUTE)).toEqual([
      { kind: 'escalation', at: 1_000 + 30 * MINUTE },
      { kind: 'reminder', at: 1_000 + 30 * MINUTE },
      { kind: 'reminder', at: 1_000 + 50 * MINUTE },
    ]);
  });

  it('has none for a review without reminders or escalation, and drops any outside the window', () => {
    const { remindBeforeMs: _reminders, escalation: _escalation, ...bare } = review;
    expect(reviewTimers(bare, 0, 60 * MINUTE)).toEqual([]);
    const outside = { ...review, remindBeforeMs: [60 * MINUTE], escalation: { ...escalation, afterMs: 60 * MINUTE } };
    expect(reviewTimers(outside, 0, 60 * MINUTE)).toEqual([]);
  });
});

describe('approvers after an escalation', () => {
  function state(overrides: Partial<ActionState> = {}): ActionState {
    const policy = { effect: 'review' as const, ruleId: 'r', reason: 'x', risk: 'high' as const, policyHash: 'sha256:0', review };
    return sampleActionState({ policy, ...overrides });
  }
  const BEFORE_DEADLINE = Date.parse('2026-11-21T13:45:00.000Z'); // the sample state's deadline is 14:00
  const escalated = { at: '2026-11-22T10:30:00.000Z', approverGroups: ['oncall'], addedApprovers: ['carol'] };

  it('the escalation group may vote only once escalated, merged without duplicates', () => {
    expect(eligibleApprovers(state())).toEqual(['alice', 'bob']);
    expect(() => refuseDecision(state(), { reviewer: 'carol', verdict: 'approve', channel: 'api' }, BEFORE_DEADLINE)).toThrow('not an approver');
    expect(eligibleApprovers(state({ escalation: escalated }))).toEqual(['alice', 'bob', 'carol']);
    expect(() => refuseDecision(state({ escalation: escalated }), { reviewer: 'carol', verdict: 'approve', channel: 'api' }, BEFORE_DEADLINE)).not.toThrow();
  });

  it('pending approvers are the eligible ones who have not voted', () => {
    const votes = [{ reviewer: 'bob', verdict: 'approve' as const, channel: 'api', at: 't' }];
    expect(pendingApprovers(state({ votes }))).toEqual(['alice']);
    expect(pendingApprovers(state({ votes, escalation: escalated }))).toEqual(['alice', 'carol']);
  });
});
