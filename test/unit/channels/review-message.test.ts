import { consoleActionLink, reviewMessage, type MessageLinks } from '../../../channels/review-message';
import { ActionStatus, type ActionState, type Vote } from '../../../domain/types';
import { sampleActionState, SAMPLE_ACTION_ID as ACTION_ID } from '../../support/action-state';

const LINKS: MessageLinks = { namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233' };

function state(overrides: Partial<ActionState> = {}): ActionState {
  return sampleActionState(overrides, { params: { sourceBucket: 'airlock-src', count: 3, tags: { team: 'finance' } } });
}

const vote = (reviewer: string, verdict: Vote['verdict'], comment?: string): Vote => ({
  reviewer,
  verdict,
  ...(comment ? { comment } : {}),
  channel: 'slack',
  at: '2026-11-21T13:05:00.000Z',
});

describe('reviewMessage', () => {
  it('carries who, what, why, risk, rule, quorum, deadline and a Temporal UI link', () => {
    const message = reviewMessage(state({ votes: [vote('alice', 'approve')] }), LINKS);
    expect(message).toMatchObject({
      actionId: ACTION_ID,
      open: true,
      requester: { id: 'etl-bot', source: 'api' },
      action: 's3.copyObject',
      summary: 'copy s3://airlock-src/a.csv to s3://airlock-exports/b.csv',
      justification: 'Finance needs the report',
      risk: 'high',
      ruleId: 'review-two-owners',
      policyReason: 'Data leaves its home bucket',
      quorum: 2,
      approvals: ['alice'],
      eligibleApprovers: ['alice', 'bob', 'carol'],
      deadline: '2026-11-21T14:00:00.000Z',
      links: { temporalUi: `http://127.0.0.1:8233/namespaces/default/workflows/${ACTION_ID}` },
    });
    expect(message.outcome).toBeUndefined();
  });

  it("links to the action's console page when a console URL is configured, the action id encoded", () => {
    expect(reviewMessage(state(), { ...LINKS, consoleUrl: 'https://airlock.example.com' }).links).toEqual({
      temporalUi: `http://127.0.0.1:8233/namespaces/default/workflows/${ACTION_ID}`,
      console: `https://airlock.example.com/console/actions/${ACTION_ID}`,
    });
    expect(consoleActionLink({ consoleUrl: 'http://127.0.0.1:8080/' }, 'action-a/b c-aaaaaaaaaaaaaaaa')).toBe(
      'http://127.0.0.1:8080/console/actions/action-a%2Fb%20c-aaaaaaaaaaaaaaaa',
    );
    expect(consoleActionLink({}, ACTION_ID)).toBeUndefined();
  });

  it('shows every param, with non-string values as JSON', () => {
    expect(reviewMessage(state(), LINKS).params).toEqual([
      { name: 'sourceBucket', value: 'airlock-src' },
      { name: 'count', value: '3' },
      { name: 'tags', value: '{"team":"finance"}' },
    ]);
  });

  it('has no link without a Temporal UI URL, and sensible defaults without a policy decision', () => {
    const { policy: _policy, operation: _operation, ...bare } = state();
    const message = reviewMessage(bare, { namespace: 'default' });
    expect(message.links).toEqual({});
    expect(message).toMatchObject({ summary: 's3.copyObject', quorum: 1, risk: 'medium', eligibleApprovers: [] });
  });

  it.each([
    [ActionStatus.Approved, {}, 'Approved: approved by alice, carol; executing', undefined],
    [
      ActionStatus.Succeeded,
      { result: { summary: 'copied 1 object', outputs: {}, session: { roleArn: 'arn', roleSessionName: 's', sourceIdentity: 'etl-bot' }, completedAt: 'x' } },
      'Executed: approved by alice, carol',
      'copied 1 object',
    ],
    [ActionStatus.Failed, { error: { type: 'AccessDenied', message: 'no' } }, 'Failed after being approved by alice, carol', 'AccessDenied: no'],
    [ActionStatus.Expired, {}, 'Expired: no decision before the deadline', undefined],
    [ActionStatus.Cancelled, { cancellation: { by: 'etl-bot', reason: 'not needed', at: 'x' } }, 'Cancelled by etl-bot', 'not needed'],
    [ActionStatus.Denied, {}, 'Denied by policy', 'Data leaves its home bucket'],
  ] as const)('is no longer open, and has an outcome, when %s', (status, extra, title, detail) => {
    const message = reviewMessage(state({ status, votes: [vote('alice', 'approve'), vote('carol', 'approve')], ...extra }), LINKS);
    expect(message.open).toBe(false);
    expect(message.outcome).toEqual(detail === undefined ? { title } : { title, detail });
  });

  it('names the rejecting reviewer and their reason', () => {
    const message = reviewMessage(state({ status: ActionStatus.Rejected, votes: [vote('alice', 'approve'), vote('bob', 'reject', 'No DPA')] }), LINKS);
    expect(message.outcome).toEqual({ title: 'Rejected by bob', detail: 'No DPA' });
    expect(message.approvals).toEqual(['alice']);
  });
});
