import { ApplicationFailure } from '@temporalio/common';
import { failureMessage, isProgrammingError } from '../../../activities/failure-mapping';
import { EmailFailureType, FailureType } from '../../../domain/failure-types';

/**
 * nodemailer errors → Temporal failures. The transport never retries on its own; the failure says
 * whether Temporal should. A permanent SMTP reply (5xx, but 503, which is about the session) will
 * come again for the same message, so it is not retried: the delivery is recorded as failed and the
 * review goes on in its other channels. A 4xx reply or no answer at all is retried. The message
 * names the SMTP command and reply, with the SMTP password removed, and no more.
 */

const MAX_MESSAGE_CHARS = 500;

/** nodemailer codes of errors without an SMTP reply that no retry can pass: missing credentials, a bad address or setting. */
const PERMANENT_CODES: ReadonlySet<string> = new Set(['ENOAUTH', 'ECONFIG', 'EENVELOPE', 'EMAXRECIPIENTS', 'EFILEACCESS', 'EURLACCESS', 'EREQUIRETLS']);

/** What this mapping reads of a nodemailer error (`NodemailerError` in its types). */
interface SmtpErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  command?: unknown;
  response?: unknown;
  responseCode?: unknown;
}

/** Whether an SMTP reply code refuses the message for good: 5xx but 503 (RFC 5321; nodemailer's `isPermanentResponseCode`). */
export function isPermanentReply(code: number): boolean {
  return code >= 500 && code < 600 && code !== 503;
}

/** The failure an email activity throws for an error from `what` (e.g. `sending the review`), with every secret removed. */
export function toEmailFailure(err: unknown, what: string, secrets: readonly (string | undefined)[] = []): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const e: SmtpErrorShape = err && typeof err === 'object' ? (err as SmtpErrorShape) : {};
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const command = typeof e.command === 'string' ? ` at ${firstLine(e.command).split(' ')[0] ?? ''}` : '';
  const said = firstLine(typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err));
  // `SMTP 550 5.1.1 no such mailbox`, not `SMTP 550 550 5.1.1 …`: the reply text starts with its code.
  const status = reply !== undefined ? `SMTP ${reply} ${said.replace(new RegExp(`^${reply}[ -]`), '')}` : `${code ? `${code} ` : ''}${said}`;
  const message = failureMessage(`${what} failed${command}: ${status}`, secrets, MAX_MESSAGE_CHARS);
  const name = typeof e.name === 'string' ? e.name : FailureType.Unnamed;
  const permanent = reply !== undefined ? isPermanentReply(reply) : (code !== undefined && PERMANENT_CODES.has(code)) || isProgrammingError(name);
  return permanent
    ? ApplicationFailure.create({ type: EmailFailureType.Permanent, message, nonRetryable: true })
    : ApplicationFailure.create({ type: EmailFailureType.Unavailable, message });
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/)[0] ?? '').trim();
}
