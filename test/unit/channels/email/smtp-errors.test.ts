import { ApplicationFailure } from '@temporalio/common';
import { isPermanentReply, toEmailFailure } from '../../../../channels/email/outbound/smtp-errors';

/** An error as nodemailer makes them: an Error with its code, command and SMTP reply. */
function smtpError(fields: { code?: string; command?: string; response?: string; responseCode?: number; message?: string; name?: string }): Error {
  return Object.assign(new Error(fields.message ?? fields.response ?? 'failed'), fields);
}

describe('SMTP errors → Temporal failures', () => {
  it.each([
    [550, true],
    [551, true],
    [552, true],
    [553, true],
    [554, true],
    [535, true],
    [503, false], // bad sequence of commands: about the session, not the message
    [421, false],
    [450, false],
    [451, false],
    [452, false],
  ])('reply %i is permanent: %s', (code, permanent) => {
    expect(isPermanentReply(code)).toBe(permanent);
    const failure = toEmailFailure(
      smtpError({ code: 'EENVELOPE', command: 'RCPT TO:<a@example.com>', response: `${code} 5.1.1 no such mailbox`, responseCode: code }),
      'sending the review email',
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe(permanent ? 'EmailPermanentError' : 'EmailUnavailable');
    expect(failure.nonRetryable).toBe(permanent);
    expect(failure.message).toBe(`sending the review email failed at RCPT: SMTP ${code} 5.1.1 no such mailbox`);
  });

  it.each([
    ['a refused connection', { code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:2525' }, false],
    ['a timeout', { code: 'ETIMEDOUT', message: 'Greeting never received' }, false],
    ['a closed connection', { code: 'ECONNECTION', message: 'Connection closed unexpectedly' }, false],
    ['a DNS failure', { code: 'EDNS', message: 'getaddrinfo ENOTFOUND smtp.example.com' }, false],
    ['a TLS failure', { code: 'ETLS', message: 'self-signed certificate' }, false],
    ['missing credentials', { code: 'ENOAUTH', message: 'Missing credentials for "PLAIN"' }, true],
    ['a bad setting', { code: 'ECONFIG', message: 'bad config' }, true],
    ['an address nodemailer refuses', { code: 'EENVELOPE', message: 'No recipients defined' }, true],
    ['a bug of ours', { name: 'TypeError', message: 'x is not a function' }, true],
  ])('%s is %s', (_, fields, permanent) => {
    const failure = toEmailFailure(smtpError(fields), 'sending the review email');
    expect(failure.type).toBe(permanent ? 'EmailPermanentError' : 'EmailUnavailable');
    expect(failure.nonRetryable).toBe(permanent);
  });

  it("keeps the password and the AUTH command's credentials out of the message, and bounds it", () => {
    const failure = toEmailFailure(
      smtpError({ code: 'EAUTH', command: 'AUTH PLAIN AHVzZXIAczNjcmV0LXBhc3N3b3Jk', response: '535 5.7.8 bad password s3cret-password', responseCode: 535 }),
      'sending the review email',
      ['s3cret-password'],
    );
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('sending the review email failed at AUTH: SMTP 535 5.7.8 bad password [redacted]');
    expect(toEmailFailure(smtpError({ responseCode: 554, response: `554 ${'x'.repeat(2000)}` }), 'sending').message.length).toBeLessThanOrEqual(501);
  });

  it('keeps a failure the activity already made', () => {
    const made = ApplicationFailure.create({ type: 'EmailNotConfigured', message: 'no', nonRetryable: true });
    expect(toEmailFailure(made, 'sending')).toBe(made);
  });
});
