import { inboxItems } from '../../../api/console/pages/inbox-items';
import { voteOptions } from '../../../api/console/pages/vote-options';
import { ACTION_ID, AT, pendingState, session } from './support';

describe('voteOptions', () => {
  it('offers the vote to an approver who has not voted', () => {
    expect(voteOptions(pendingState(), session(), AT)).toEqual({ kind: 'vote' });
  });

  it('says why there is no vote, in the order the workflow refuses', () => {
    const reason = (state = pendingState(), who = session()) => {
      const options = voteOptions(state, who, AT);
      return options.kind === 'none' ? options.reason : options.kind;
    };
    expect(reason(pendingState({ status: 'succeeded' }))).toBe('Votes are closed (status: Succeeded).');
    expect(reason(pendingState({ deadline: '2026-12-04T11:00:00.000Z' }))).toBe('The review deadline has passed: votes are closed.');
    expect(reason(pendingState(), session({ roles: ['auditor'] }))).toBe('You do not have the reviewer role in the console.');
    expect(reason(pendingState(), session({ identity: 'etl-bot' }))).toBe('You requested this action: someone else must review it.');
    expect(reason(pendingState(), session({ identity: 'dave', idpGroups: ['security'] }))).toBe(
      'You are not an approver of rule review-copies (approvers: data-owners).',
    );
    const voted = pendingState({ votes: [{ reviewer: 'bob', verdict: 'approve', channel: 'slack', at: '2026-12-04T11:59:30.000Z' }] });
    expect(reason(voted)).toBe('You already approved this action.');
  });

  it('counts an approver by an IdP group of the sign-in, and the escalation’s approvers once escalated', () => {
    const byGroup = pendingState({}, { poolIdpGroups: ['okta-data'] });
    expect(voteOptions(byGroup, session({ identity: 'zoe', idpGroups: ['okta-data'] }), AT).kind).toBe('vote');
    const escalation = { afterMs: 60_000, approverGroups: ['security'], eligibleApprovers: ['dave'], channels: ['api'] };
    const dave = session({ identity: 'dave', idpGroups: ['security'] });
    expect(voteOptions(pendingState({}, { escalation }), dave, AT).kind).toBe('none');
    const escalated = pendingState({ escalation: { at: '2026-12-04T11:59:30.000Z', approverGroups: ['security'], addedApprovers: ['dave'] } }, { escalation });
    expect(voteOptions(escalated, dave, AT).kind).toBe('vote');
  });

  it('asks for a fresh sign-in when the rule has a step-up and the sign-in is older, or of unknown age', () => {
    const stepUp = pendingState({}, { stepUpMaxAgeMs: 5 * 60_000 });
    expect(voteOptions(stepUp, session(), AT)).toEqual({ kind: 'vote' });
    const stale = voteOptions(stepUp, session({ authTime: Math.floor(AT / 1000) - 301 }), AT);
    expect(stale).toEqual({
      kind: 'step_up',
      maxAgeSeconds: 300,
      signInUrl: `/console/login?returnTo=${encodeURIComponent(`/console/actions/${ACTION_ID}`)}&maxAge=300`,
    });
    const { authTime: _none, ...unknownAge } = session();
    expect(voteOptions(stepUp, unknownAge, AT).kind).toBe('step_up');
  });
});

describe('inboxItems', () => {
  it('keeps what this person may decide, newest first, marking their own votes', () => {
    const older = pendingState({ actionId: 'action-s3.copyObject-aaaaaaaaaaaaaaaa' });
    const newer = pendingState({
      actionId: 'action-s3.copyObject-bbbbbbbbbbbbbbbb',
      request: { ...older.request, requestedAt: '2026-12-04T11:59:30.000Z' },
      votes: [{ reviewer: 'bob', verdict: 'approve', channel: 'console', at: '2026-12-04T11:59:40.000Z' }],
    });
    const own = pendingState({ actionId: 'action-s3.copyObject-cccccccccccccccc', request: { ...older.request, requester: { id: 'bob', source: 'api' } } });
    const others = pendingState({ actionId: 'action-s3.copyObject-dddddddddddddddd' }, { approverGroups: ['security'], eligibleApprovers: ['dave'] });
    const items = inboxItems([older, own, others, newer], session());
    expect(items.map((item) => [item.state.actionId, item.myVote?.verdict])).toEqual([
      ['action-s3.copyObject-bbbbbbbbbbbbbbbb', 'approve'],
      ['action-s3.copyObject-aaaaaaaaaaaaaaaa', undefined],
    ]);
    expect(inboxItems([older], session({ roles: ['auditor'] }))).toEqual([]);
  });
});
