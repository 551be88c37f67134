import { ApplicationFailure } from '@temporalio/common';
import { refuseCancel, refuseDecision } from '../../../workflows/refusals';
import { ActionStatus, type ActionState, type DecideInput } from '../../../domain/types';

const NOW = Date.parse('2026-11-21T00:30:00.000Z');

function pendingState(overrides: Partial<ActionState> = {}): ActionState {
  return {
    actionId: 'action-s3.copyObject-aaaaaaaaaaaaaaaa',
    status: ActionStatus.PendingReview,
    request: {
      actionId: 'action-s3.copyObject-aaaaaaaaaaaaaaaa',
      action: 's3.copyObject',
      params: {},
      justification: 'because',
      requester: { id: 'etl-bot', source: 'api' },
      requestedAt: '2026-11-21T00:00:00.000Z',
    },
    policy: {
      effect: 'review',
      ruleId: 'r',
      reason: 'x',
      risk: 'high',
      policyHash: 'sha256:0',
      review: { approverGroups: ['g'], eligibleApprovers: ['alice', 'bob'], quorum: 2, timeoutMs: 1000, channels: ['api'] },
    },
    votes: [],
    updatedAt: '2026-11-21T00:00:00.000Z',
    ...overrides,
  };
}

const vote = (reviewer: string, verdict: DecideInput['verdict'] = 'approve', comment?: string): DecideInput => ({
  reviewer,
  verdict,
  channel: 'api',
  ...(comment ? { comment } : {}),
});

function refusalCode(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    return (err as ApplicationFailure).type ?? undefined;
  }
}

describe('decide validator', () => {
  it('accepts an eligible approver voting first', () => {
    expect(refusalCode(() => refuseDecision(pendingState(), vote('alice'), NOW))).toBeUndefined();
  });

  it.each([
    ['the requester', pendingState(), vote('etl-bot'), 'self_approval'],
    ['a reviewer outside the approver list', pendingState(), vote('mallory'), 'not_an_approver'],
    ['a second vote', pendingState({ votes: [{ ...vote('alice'), at: 't' }] }), vote('alice', 'reject', 'changed my mind'), 'already_voted'],
    ['a rejection without a reason', pendingState(), vote('bob', 'reject', '   '), 'comment_required'],
    ['a vote while policy is evaluating', pendingState({ status: ActionStatus.Evaluating }), vote('alice'), 'not_pending_review'],
    ['a vote once approved', pendingState({ status: ActionStatus.Approved }), vote('bob'), 'action_closed'],
    ['a vote while executing', pendingState({ status: ActionStatus.Executing }), vote('bob'), 'action_closed'],
    ['a vote after expiry', pendingState({ status: ActionStatus.Expired }), vote('bob'), 'action_closed'],
  ])('refuses %s', (_label, state, decision, code) => {
    expect(refusalCode(() => refuseDecision(state, decision, NOW))).toBe(code);
  });

  it('refuses the requester even if a policy listed them as an approver', () => {
    const state = pendingState();
    state.policy!.review!.eligibleApprovers.push('etl-bot');
    expect(refusalCode(() => refuseDecision(state, vote('etl-bot'), NOW))).toBe('self_approval');
  });
});

describe('cancel validator', () => {
  it.each([ActionStatus.Evaluating, ActionStatus.PendingReview])('allows cancelling while %s', (status) => {
    expect(refusalCode(() => refuseCancel(pendingState({ status }), NOW))).toBeUndefined();
  });

  it.each([ActionStatus.Approved, ActionStatus.Executing, ActionStatus.Succeeded, ActionStatus.Rejected, ActionStatus.Cancelled])(
    'refuses once %s',
    (status) => {
      expect(refusalCode(() => refuseCancel(pendingState({ status }), NOW))).toBe('not_cancellable');
    },
  );

  it('refuses a second cancel while the first waits for admission to end, though the action is still evaluating', () => {
    expect(refusalCode(() => refuseCancel(pendingState({ status: ActionStatus.Evaluating }), NOW, true))).toBe('not_cancellable');
  });
});

describe('the deadline shown is the cut-off', () => {
  const deadline = '2026-11-21T01:00:00.000Z';
  const at = (iso: string): number => Date.parse(iso);

  it('counts a vote and allows a cancel until the deadline, refuses both from it on, before the expiry timer fires', () => {
    const state = pendingState({ deadline });
    expect(refusalCode(() => refuseDecision(state, vote('alice'), at('2026-11-21T00:59:59.999Z')))).toBeUndefined();
    expect(refusalCode(() => refuseCancel(state, at('2026-11-21T00:59:59.999Z')))).toBeUndefined();
    expect(refusalCode(() => refuseDecision(state, vote('alice'), at(deadline)))).toBe('action_closed');
    expect(refusalCode(() => refuseCancel(state, at(deadline)))).toBe('not_cancellable');
  });
});
