import { createHmac } from 'node:crypto';
import { callbackBody, signCallback } from '../../../activities/notify/callback';
import { callbackUrlProblem } from '../../../activities/notify/callback-url';
import { ActionStatus, type ActionState } from '../../../workflows/types';

describe('callback signature', () => {
  it('is an HMAC-SHA256 of "timestamp.body" that a receiver can recompute', () => {
    const body = '{"id":"action-x","status":"succeeded"}';
    const header = signCallback(body, 'a-long-enough-secret', 1_800_000_000);
    const expected = createHmac('sha256', 'a-long-enough-secret').update(`1800000000.${body}`).digest('hex');
    expect(header).toBe(`t=1800000000,v1=${expected}`);
    expect(signCallback(`${body} `, 'a-long-enough-secret', 1_800_000_000)).not.toBe(header);
    expect(signCallback(body, 'another-secret-entirely', 1_800_000_000)).not.toBe(header);
  });

  it('carries the outcome and no request params', () => {
    const state: ActionState = {
      actionId: 'action-s3.copyObject-aaaaaaaaaaaaaaaa',
      status: ActionStatus.Rejected,
      request: {
        actionId: 'action-s3.copyObject-aaaaaaaaaaaaaaaa',
        action: 's3.copyObject',
        params: { sourceKey: 'secret-project/plan.csv' },
        justification: 'x',
        requester: { id: 'etl-bot', source: 'api' },
        requestedAt: '2026-11-21T00:00:00.000Z',
      },
      votes: [{ reviewer: 'bob', verdict: 'reject', comment: 'no DPA', channel: 'slack', at: '2026-11-21T00:01:00.000Z' }],
      updatedAt: '2026-11-21T00:01:00.000Z',
      closedAt: '2026-11-21T00:01:00.000Z',
    };
    const body = JSON.parse(callbackBody(state));
    expect(body).toMatchObject({ id: state.actionId, status: 'rejected', requester: 'etl-bot', votes: [{ reviewer: 'bob', comment: 'no DPA' }] });
    expect(JSON.stringify(body)).not.toContain('secret-project');
  });
});

describe('callback URL allow-list', () => {
  const allowed = ['agents.example.com', '127.0.0.1'];
  it.each([
    ['https://agents.example.com/airlock/outcome', undefined],
    ['http://127.0.0.1:4000/hook', undefined],
    ['http://agents.example.com/hook', 'must use https'],
    ['https://169.254.169.254/latest/meta-data', 'not in AIRLOCK_CALLBACK_ALLOWED_HOSTS'],
    ['https://user:pw@agents.example.com/hook', 'must not contain credentials'],
    ['not a url', 'must be an absolute URL'],
    ['file:///etc/passwd', 'must use https'],
  ])('%s → %s', (url, problem) => {
    const found = callbackUrlProblem(url, allowed);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it('refuses every callback when no host is allowed', () => {
    expect(callbackUrlProblem('https://agents.example.com/hook', [])).toContain('not enabled');
  });
});
