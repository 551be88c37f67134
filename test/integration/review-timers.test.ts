import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { startSlackDouble, type SlackDouble, type SlackMessage } from '../support/slack-double';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { putObject, testS3 } from '../support/test-aws';

const SIGNING_SECRET = 'slack-signing-secret-for-tests';
const BOT_TOKEN = 'xoxb-test-token';
const APPROVALS = 'C0APPROVALS';
const SECURITY = 'C0SECURITY';

interface LineageEvent {
  kind: string;
  actor: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * Reminders and escalation are durable timers in the review: reviewers who have not voted are
 * reminded before the deadline, and after the policy's delay an escalation group may vote too and
 * is told where it is. The policy (test/fixtures/policy-reminders.yaml) uses windows of seconds.
 * End to end, across processes: the Slack messages as rendered, the API's refusal and view, the
 * lineage as stored. The timers themselves (exact offsets, expiry, which reminder goes first) are
 * tested in workflow time by test/workflow/review-timers.test.ts.
 */
describe('review reminders and escalation', () => {
  let slack: SlackDouble;
  let stack: Stack;
  const s3 = testS3();

  beforeAll(async () => {
    slack = await startSlackDouble({ token: BOT_TOKEN, channels: { 'data-approvals': APPROVALS, security: SECURITY } });
    stack = await startStack(await bundleWorkflows(), {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-reminders.yaml'),
      slack: { botToken: BOT_TOKEN, apiUrl: slack.apiUrl, signingSecret: SIGNING_SECRET },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await slack?.stop();
    s3.destroy();
  });

  async function request(keyPrefix: string): Promise<string> {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, 'id\n1\n');
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey: `${keyPrefix}/${randomUUID()}.csv` },
      justification: 'Quarterly export for finance',
    });
    expect(response.statusCode).toBe(202);
    return response.json().id;
  }

  async function lineage(id: string): Promise<LineageEvent[]> {
    await stack.client.workflow.getHandle(id).result();
    return (await stack.call('audrey', 'GET', `/v1/actions/${id}/lineage`)).json().events;
  }

  const replies = (channel: string, parent: SlackMessage): SlackMessage[] => slack.messages(channel).filter((message) => message.thread_ts === parent.ts);
  const reviewMessageIn = (channel: string, id: string): SlackMessage | undefined =>
    slack.messages(channel).find((message) => message.thread_ts === undefined && JSON.stringify(message.blocks ?? []).includes(id));

  it('reminds who has not voted, then escalates: the escalation group is told and may approve', async () => {
    const id = await request('escalate');
    const posted = await eventually(() => reviewMessageIn(APPROVALS, id));

    // Before the escalation, security-oncall is not among the approvers.
    const early = await stack.call('mallory', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' });
    expect(early.statusCode).toBe(403);
    expect(early.json().error.code).toBe('not_an_approver');

    // The reminder is a reply in the review message's thread, mentioning only who may vote and has not.
    const reminder = await eventually(() => replies(APPROVALS, posted).find((reply) => reply.text?.includes('Reminder')));
    expect(reminder.text).toContain('<@U0TALICE>');
    expect(reminder.text).toContain('<@U0TBOB>');
    expect(reminder.text).not.toContain('U0TMALLORY');

    // The escalation posts the review where it was not yet, and a notice in each escalation channel's thread.
    const securityMessage = await eventually(() => reviewMessageIn(SECURITY, id), 30_000);
    const notices = await eventually(() => {
      const found = [...replies(APPROVALS, posted), ...replies(SECURITY, securityMessage)].filter((reply) => reply.text?.includes('Escalated'));
      return found.length === 2 ? found : undefined;
    });
    for (const notice of notices) {
      expect(notice.text).toContain('<@U0TCAROL>');
      expect(notice.text).toContain('<@U0TMALLORY>');
      expect(notice.text).toContain('security-oncall');
    }
    // The original message is refreshed to show the escalation and the wider list of approvers.
    const refreshed = await eventually(() => {
      const blocks = JSON.stringify(slack.message(posted.ts).latest.blocks);
      return blocks.includes('Escalated') ? blocks : undefined;
    });
    expect(refreshed).toContain('mallory');

    const approved = await stack.call('mallory', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' });
    expect(approved.statusCode).toBe(200);
    const final = await stack.client.workflow.getHandle(id).result();
    expect(final.status).toBe('succeeded');

    const view = (await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json();
    expect(view.review.eligibleApprovers).toEqual(['alice', 'bob', 'carol', 'mallory']);
    expect(view.review.escalation).toMatchObject({ approverGroups: ['security-oncall'], addedApprovers: ['carol', 'mallory'] });
    expect(Date.parse(view.review.escalation.escalatedAt)).toBeLessThan(Date.parse(view.review.deadline));
    expect(view.review.reminders).toEqual([{ at: expect.any(String), pending: ['alice', 'bob'] }]);
    const purposes = (view.notifications as { purpose?: string; status: string }[]).map((record) => `${record.purpose ?? 'review'}:${record.status}`);
    expect(purposes.sort()).toEqual(['escalation:sent', 'escalation:sent', 'reminder:sent', 'review:sent', 'review:sent']);

    const events = await lineage(id);
    const story = events
      .map((event) => event.kind)
      .filter((kind) => ['review.reminded', 'review.escalated', 'vote.recorded', 'action.approved'].includes(kind));
    expect(story).toEqual(['review.reminded', 'review.escalated', 'vote.recorded', 'action.approved']);
    expect(events.find((event) => event.kind === 'review.escalated')?.data).toEqual({
      approverGroups: ['security-oncall'],
      addedApprovers: ['carol', 'mallory'],
      channels: ['slack:#data-approvals', 'slack:#security'],
    });
    expect(events.find((event) => event.kind === 'vote.refused')?.data).toMatchObject({ code: 'not_an_approver' });
  });
});
