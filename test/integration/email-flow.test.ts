import { join } from 'node:path';
import { consoleLinksOf, startDevSmtpServer, type DevSmtpServer, type ReceivedEmail } from '../../scripts/lib/dev-smtp-server';
import { eventually } from '../support/eventually';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { testS3 } from '../support/test-aws';
import { requestCopy } from '../support/copy-request';

const FROM = 'airlock@example.com';
const REVIEWERS = 'reviewers@example.com';
/** AIRLOCK_CONSOLE_URL as a deployment sets it: the link in every email starts with it. */
const CONSOLE_URL = 'https://airlock.example.com';

/**
 * Reviewers by email: the worker sends the review through a real SMTP server on loopback (the
 * `smtp-server` package, as `npm start` runs it) with one link, the action's console page, where
 * the reviewer signs in and decides; reminders and the outcome arrive in the same thread; a server
 * that refuses the address is a failed delivery, and the review goes on through the API.
 */
describe('email review flow', () => {
  let smtp: DevSmtpServer;
  let stack: Stack;
  const s3 = testS3();

  beforeAll(async () => {
    smtp = await startDevSmtpServer({
      refuseRecipient: (address) => (address === 'nobody@example.com' ? { code: 550, message: '5.1.1 <nobody@example.com>: no such mailbox' } : undefined),
    });
    stack = await startStack(await bundleWorkflows(), {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-email.yaml'),
      email: { smtpUrl: smtp.url, from: FROM },
      consoleUrl: CONSOLE_URL,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await smtp?.stop();
    s3.destroy();
  });

  async function request(as: string, folder: string) {
    const submitted = await requestCopy(stack, s3, as, { folder, justification: 'Finance needs the report <script>alert(1)</script>' });
    expect(submitted.response.statusCode).toBe(202);
    return submitted;
  }

  /** The emails about an action, in the order they arrived, once there are `count`. */
  const emailsAbout = (actionId: string, count: number) =>
    eventually(() => {
      const found = smtp.messages().filter((email) => email.headers['x-airlock-action-id'] === actionId);
      return found.length >= count ? found : undefined;
    });

  const stateOf = async (id: string) => (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();

  it("emails the review to the policy's address with one link, the action's console page", async () => {
    const { id, sourceKey, destinationKey } = await request('etl-bot', 'exports');
    const [review] = (await emailsAbout(id, 1)) as [ReceivedEmail];

    expect(review.envelope).toEqual({ from: FROM, to: [REVIEWERS] });
    expect(review.headers.from).toBe(`Airlock <${FROM}>`);
    expect(review.headers.to).toBe(REVIEWERS);
    expect(review.subject).toBe(`Review requested: s3.copyObject by etl-bot (${id})`);
    for (const part of [review.text, review.html]) {
      for (const value of ['airlock-src', sourceKey, 'airlock-exports', destinationKey, 'Finance needs the report', 'review-exports', 'high']) {
        expect(part).toContain(value);
      }
    }
    expect(review.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(review.html).not.toContain('<script>');

    const link = `${CONSOLE_URL}/console/actions/${id}`;
    expect(consoleLinksOf(review)).toEqual([link]);
    expect([...review.html.matchAll(/href="([^"]*)"/g)].map((match) => match[1])).toEqual([link]);

    // The console's action page is built separately; once the API serves it, the link's path must lead somewhere.
    if (/console\/actions\/:/.test(stack.api.printRoutes({ commonPrefix: false }))) {
      const page = await fetch(`${stack.baseUrl}${new URL(link).pathname}`, { redirect: 'manual' });
      expect(page.status).not.toBe(404);
    }

    const state = await stateOf(id);
    expect(state.status).toBe('pending_review');
    expect(state.notifications).toEqual([
      expect.objectContaining({ target: `email:${REVIEWERS}`, status: 'sent', ref: { channel: REVIEWERS, ts: review.messageId } }),
    ]);

    // Decided in the API (as the console will): the outcome follows in the review's thread.
    expect((await stack.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(id).result()).resolves.toMatchObject({ status: 'succeeded' });
    const [, outcome] = (await emailsAbout(id, 2)) as [ReceivedEmail, ReceivedEmail];
    expect(outcome.subject).toBe(`Re: ${review.subject}`);
    expect(outcome.inReplyTo).toBe(review.messageId);
    expect(outcome.text).toContain('Executed: approved by alice');
    expect(consoleLinksOf(outcome)).toEqual([link]);
    // One review and one outcome: the vote and the execution's start sent nothing.
    expect(smtp.messages().filter((email) => email.headers['x-airlock-action-id'] === id)).toHaveLength(2);
  });

  it("emails a reminder in the review's thread, and the expiry after it", async () => {
    const { id } = await request('etl-bot', 'reminded');
    const [review, reminder] = (await emailsAbout(id, 2)) as [ReceivedEmail, ReceivedEmail];
    expect(review.subject).toBe(`Review requested: s3.copyObject by etl-bot (${id})`);
    expect(reminder.subject).toBe(`Re: ${review.subject}`);
    expect(reminder.inReplyTo).toBe(review.messageId);
    expect(reminder.references).toBe(review.messageId);
    expect(reminder.messageId).not.toBe(review.messageId);
    expect(reminder.text).toMatch(
      /Reminder: this request still needs 1 more approval \(0 of 1\) before \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\. Waiting on alice, bob, carol\./,
    );
    expect(consoleLinksOf(reminder)).toEqual([`${CONSOLE_URL}/console/actions/${id}`]);

    await expect(stack.client.workflow.getHandle(id).result()).resolves.toMatchObject({ status: 'expired' });
    const [, , expiry] = (await emailsAbout(id, 3)) as [ReceivedEmail, ReceivedEmail, ReceivedEmail];
    expect(expiry.inReplyTo).toBe(review.messageId);
    expect(expiry.text).toContain('Expired: no decision before the deadline');
    const state = await stateOf(id);
    expect(state.notifications).toEqual([
      expect.objectContaining({ target: `email:${REVIEWERS}`, status: 'sent', ref: { channel: REVIEWERS, ts: review.messageId } }),
      expect.objectContaining({ target: `email:${REVIEWERS}`, purpose: 'reminder', status: 'sent', ref: { channel: REVIEWERS, ts: reminder.messageId } }),
    ]);
  });

  it('records an address the server refuses (550) as a failed delivery, at once, and keeps the action open for the API', async () => {
    const before = smtp.messages().length;
    const { id } = await request('etl-bot', 'refused');
    const notifications = await eventually(async () => {
      const state = await stateOf(id);
      return state.notifications?.length ? state.notifications : undefined;
    });
    expect(notifications).toEqual([
      expect.objectContaining({
        target: 'email:nobody@example.com',
        status: 'failed',
        error: { type: 'EmailPermanentError', message: expect.stringContaining('SMTP 550') },
      }),
    ]);
    expect(smtp.messages().length).toBe(before);
    expect((await stateOf(id)).status).toBe('pending_review');

    // A permanent reply is not retried: one attempt in history.
    const history = await stack.client.workflow.getHandle(id).fetchHistory();
    const failed = history.events?.filter((event) => event.activityTaskFailedEventAttributes) ?? [];
    expect(failed).toHaveLength(1);

    expect((await stack.call('bob', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    await expect(stack.client.workflow.getHandle(id).result()).resolves.toMatchObject({ status: 'succeeded' });
  });
});
