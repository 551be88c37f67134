import { ApplicationFailure } from '@temporalio/common';
import { refuseDecision } from '../../../workflows/refusals';
import { ActionStatus, type ActionState, type DecideInput, type ReviewRequirement, type VoteAuthentication } from '../../../domain/types';

const NOW = Date.parse('2026-12-04T12:00:00.000Z');
const FIVE_MINUTES = 5 * 60_000;

function pending(review: Partial<ReviewRequirement> = {}, overrides: Partial<ActionState> = {}): ActionState {
  return {
    actionId: 'action-iam.putRolePolicy-aaaaaaaaaaaaaaaa',
    status: ActionStatus.PendingReview,
    request: {
      actionId: 'action-iam.putRolePolicy-aaaaaaaaaaaaaaaa',
      action: 'iam.putRolePolicy',
      params: {},
      justification: 'because',
      requester: { id: 'etl-bot', source: 'api' },
      requestedAt: '2026-12-04T11:00:00.000Z',
    },
    policy: {
      effect: 'review',
      ruleId: 'r',
      reason: 'x',
      risk: 'high',
      policyHash: 'sha256:0',
      review: { approverGroups: ['security'], eligibleApprovers: ['dave'], quorum: 1, timeoutMs: 3_600_000, channels: ['api'], ...review },
    },
    votes: [],
    updatedAt: '2026-12-04T11:00:00.000Z',
    ...overrides,
  };
}

const signIn = (authTimeMs: number | undefined, idpGroups?: string[]): VoteAuthentication => ({
  method: 'oidc',
  issuer: 'https://idp.example',
  subject: 'someone',
  ...(authTimeMs !== undefined ? { authTime: Math.floor(authTimeMs / 1000) } : {}),
  ...(idpGroups ? { idpGroups } : {}),
});

const consoleVote = (reviewer: string, authentication?: VoteAuthentication): DecideInput => ({
  reviewer,
  verdict: 'approve',
  channel: authentication ? 'console' : 'slack',
  ...(authentication ? { authentication } : {}),
});

function refusal(run: () => void): { code: string | undefined; message: string } | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    return { code: (err as ApplicationFailure).type ?? undefined, message: (err as Error).message };
  }
}

describe('votes from IdP groups', () => {
  const review = { poolIdpGroups: ['sec-oncall'] };

  it('counts a console vote from a member of an approver IdP group, named in no policy group', () => {
    expect(refusal(() => refuseDecision(pending(review), consoleVote('frank', signIn(NOW, ['staff', 'sec-oncall'])), NOW))).toBeUndefined();
  });

  it('refuses one whose signed groups include none of them, or that carries no groups (chat, API keys)', () => {
    expect(refusal(() => refuseDecision(pending(review), consoleVote('frank', signIn(NOW, ['staff'])), NOW))?.code).toBe('not_an_approver');
    expect(refusal(() => refuseDecision(pending(review), consoleVote('frank'), NOW))?.code).toBe('not_an_approver');
    // Group names compare exactly.
    expect(refusal(() => refuseDecision(pending(review), consoleVote('frank', signIn(NOW, ['SEC-ONCALL'])), NOW))?.code).toBe('not_an_approver');
  });

  it('never lets the requester approve through an IdP group it is in', () => {
    expect(refusal(() => refuseDecision(pending(review), consoleVote('etl-bot', signIn(NOW, ['sec-oncall'])), NOW))?.code).toBe('self_approval');
  });

  it("counts the escalation's IdP groups only once the review was escalated", () => {
    const escalating = { escalation: { afterMs: 60_000, approverGroups: ['leads'], eligibleApprovers: [], poolIdpGroups: ['leads-idp'], channels: ['api'] } };
    const vote = consoleVote('gina', signIn(NOW, ['leads-idp']));
    expect(refusal(() => refuseDecision(pending(escalating), vote, NOW))?.code).toBe('not_an_approver');
    const escalated = pending(escalating, { escalation: { at: '2026-12-04T11:30:00.000Z', approverGroups: ['leads'], addedApprovers: [] } });
    expect(refusal(() => refuseDecision(escalated, vote, NOW))).toBeUndefined();
  });

  it('ignores groups of the wrong shape', () => {
    const forged = { ...signIn(NOW), idpGroups: 'sec-oncall' } as unknown as VoteAuthentication;
    expect(refusal(() => refuseDecision(pending(review), consoleVote('frank', forged), NOW))?.code).toBe('not_an_approver');
  });
});

describe('step-up', () => {
  const stepUp = { stepUpMaxAgeMs: FIVE_MINUTES };

  it('counts a vote from a sign-in within maxAge of the vote', () => {
    expect(refusal(() => refuseDecision(pending(stepUp), consoleVote('dave', signIn(NOW - FIVE_MINUTES + 1000)), NOW))).toBeUndefined();
  });

  it('refuses one from an older sign-in, approval and rejection alike', () => {
    const stale = consoleVote('dave', signIn(NOW - FIVE_MINUTES - 1000));
    expect(refusal(() => refuseDecision(pending(stepUp), stale, NOW))).toEqual({
      code: 'step_up_required',
      message: expect.stringContaining('at most 5 minutes old'),
    });
    expect(refusal(() => refuseDecision(pending(stepUp), { ...stale, verdict: 'reject', comment: 'no' }, NOW))?.code).toBe('step_up_required');
  });

  it('refuses a vote with no sign-in time: a chat click, an API key, a provider that did not say', () => {
    expect(refusal(() => refuseDecision(pending(stepUp), consoleVote('dave'), NOW))?.code).toBe('step_up_required');
    expect(refusal(() => refuseDecision(pending(stepUp), consoleVote('dave', signIn(undefined)), NOW))?.code).toBe('step_up_required');
    const forged = { ...signIn(NOW), authTime: 'now' } as unknown as VoteAuthentication;
    expect(refusal(() => refuseDecision(pending(stepUp), consoleVote('dave', forged), NOW))?.code).toBe('step_up_required');
  });

  it('leaves rules without it as they were: any channel, any sign-in age', () => {
    expect(refusal(() => refuseDecision(pending(), consoleVote('dave'), NOW))).toBeUndefined();
    expect(refusal(() => refuseDecision(pending(), consoleVote('dave', signIn(NOW - 24 * 3_600_000)), NOW))).toBeUndefined();
  });

  it('still refuses a non-approver first, whatever the sign-in', () => {
    expect(refusal(() => refuseDecision(pending(stepUp), consoleVote('mallory', signIn(NOW)), NOW))?.code).toBe('not_an_approver');
  });
});
