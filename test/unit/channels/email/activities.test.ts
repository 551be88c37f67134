import { ApplicationFailure } from '@temporalio/common';
import { createEmailActivities } from '../../../../channels/email/outbound/activities';
import { ActionStatus } from '../../../../domain/types';
import { freePort } from '../../../../net/free-port';
import { consoleLinksOf, startDevSmtpServer, type DevSmtpServer } from '../../../../scripts/lib/dev-smtp-server';
import { SAMPLE_ACTION_ID, sampleActionState } from '../../../support/action-state';

const FROM = 'airlock@example.com';
const LINKS = { namespace: 'default', consoleUrl: 'https://airlock.example.com' };
const reminder = { kind: 'reminder' as const, actionId: SAMPLE_ACTION_ID, mention: ['alice'], approvals: 0, quorum: 2 };

/** The failure a call rejects with. */
async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }
  throw new Error('the call succeeded');
}

/**
 * The email activities against a real SMTP server on loopback (scripts/lib/dev-smtp-server.ts):
 * what arrives, how the emails thread, and which SMTP answers are retried.
 */
describe('email activities', () => {
  let smtp: DevSmtpServer;
  beforeAll(async () => {
    smtp = await startDevSmtpServer({
      refuseRecipient: (address) =>
        address.startsWith('nobody@')
          ? { code: 550, message: '5.1.1 no such mailbox' }
          : address.startsWith('busy@')
            ? { code: 450, message: '4.2.1 try again later' }
            : undefined,
    });
  });
  afterAll(() => smtp.stop());

  const activities = () => createEmailActivities({ email: { smtpUrl: smtp.url, from: FROM }, links: LINKS });

  it('send the review, then a reminder and the outcome in its thread', async () => {
    const email = activities();
    const before = smtp.messages().length;
    const ref = await email.sendEmailReview({ state: sampleActionState(), to: 'reviewers@example.com' });
    expect(ref).toEqual({ conversation: 'reviewers@example.com', messageId: expect.stringMatching(/^<airlock\.review\.[0-9a-f]{32}@example\.com>$/) });

    const notice = await email.sendEmailNotice({ ref, notice: reminder, state: sampleActionState() });
    expect(notice).toEqual({ conversation: 'reviewers@example.com', messageId: expect.stringMatching(/^<airlock\.reminder\.[0-9a-f]{32}@example\.com>$/) });
    await email.sendEmailOutcome({ ref, state: sampleActionState({ status: ActionStatus.Expired }) });

    const [review, reminded, outcome] = smtp.messages().slice(before);
    expect(review?.envelope).toEqual({ from: FROM, to: ['reviewers@example.com'] });
    expect(review?.headers.from).toBe(`Airlock <${FROM}>`);
    expect(review?.headers.to).toBe('reviewers@example.com');
    expect(review?.headers['auto-submitted']).toBe('auto-generated');
    expect(review?.headers['x-airlock-action-id']).toBe(SAMPLE_ACTION_ID);
    expect(review?.subject).toBe(`Review requested: s3.copyObject by etl-bot (${SAMPLE_ACTION_ID})`);
    expect(review?.messageId).toBe(ref.messageId);
    expect(review?.text).toContain('Finance needs the report');
    expect(review?.html).toContain('Finance needs the report');
    expect(review && consoleLinksOf(review)).toEqual([`https://airlock.example.com/console/actions/${SAMPLE_ACTION_ID}`]);

    expect(reminded?.subject).toBe(`Re: ${review?.subject}`);
    expect(reminded?.inReplyTo).toBe(ref.messageId);
    expect(reminded?.references).toBe(ref.messageId);
    expect(reminded?.text).toContain('Reminder: this request still needs 2 more approvals (0 of 2). Waiting on alice.');

    expect(outcome?.inReplyTo).toBe(ref.messageId);
    expect(outcome?.text).toContain('Expired: no decision before the deadline');
  });

  it('keep non-ASCII text and long lines intact through the SMTP encodings', async () => {
    const state = sampleActionState({
      request: {
        ...sampleActionState().request,
        requester: { id: 'bøt-ü', source: 'api' },
        params: { destinationKey: `exports/café ✓ ${'x'.repeat(300)}.csv` },
      },
    });
    const before = smtp.messages().length;
    await activities().sendEmailReview({ state, to: 'reviewers@example.com' });
    const [received] = smtp.messages().slice(before);
    expect(received?.subject).toBe(`Review requested: s3.copyObject by bøt-ü (${SAMPLE_ACTION_ID})`);
    expect(received?.text).toContain(`exports/café ✓ ${'x'.repeat(300)}.csv`);
    expect(received?.html).toContain(`exports/café ✓ ${'x'.repeat(300)}.csv`);
  });

  it('a 550 is a permanent failure, a 450 a retryable one', async () => {
    const refused = await failureOf(activities().sendEmailReview({ state: sampleActionState(), to: 'nobody@example.com' }));
    expect(refused.type).toBe('EmailPermanentError');
    expect(refused.nonRetryable).toBe(true);
    expect(refused.message).toBe('sending the review email failed at RCPT: SMTP 550 5.1.1 no such mailbox');

    const busy = await failureOf(activities().sendEmailReview({ state: sampleActionState(), to: 'busy@example.com' }));
    expect(busy.type).toBe('EmailUnavailable');
    expect(busy.nonRetryable).toBe(false);
  });

  it('no server is retryable, and the password in the URL appears nowhere in the failure', async () => {
    const port = await freePort();
    const email = createEmailActivities({ email: { smtpUrl: `smtp://airlock:s3cret-password@127.0.0.1:${port}`, from: FROM }, links: LINKS });
    const failure = await failureOf(email.sendEmailReview({ state: sampleActionState(), to: 'reviewers@example.com' }));
    expect(failure.type).toBe('EmailUnavailable');
    expect(failure.nonRetryable).toBe(false);
    expect(JSON.stringify({ message: failure.message, stack: failure.stack, cause: String(failure.cause) })).not.toContain('s3cret-password');
  });

  it('without an SMTP server configured, every email activity fails for good, saying what to set', async () => {
    const email = createEmailActivities({ links: LINKS });
    const failure = await failureOf(email.sendEmailReview({ state: sampleActionState(), to: 'reviewers@example.com' }));
    expect(failure).toMatchObject({ type: 'EmailNotConfigured', nonRetryable: true });
    expect(failure.message).toContain('AIRLOCK_SMTP_URL');
  });

  it('refuses to send to a ref that is not one plain address', async () => {
    const failure = await failureOf(
      activities().sendEmailNotice({
        ref: { conversation: 'a@example.com, b@example.com', messageId: '<x@example.com>' },
        notice: reminder,
        state: sampleActionState(),
      }),
    );
    expect(failure).toMatchObject({ type: 'EmailPermanentError', nonRetryable: true });
  });
});
