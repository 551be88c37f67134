import { ApplicationFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import { logInfo } from '../../../activities/activity-log';
import { smtpUrlSecrets } from '../../../config/smtp-url';
import { EmailFailureType } from '../../../domain/failure-types';
import { readMessageRef, type MessageRef, type StoredMessageRef } from '../../../domain/message-ref';
import type { ActionState, ReviewNotice } from '../../../domain/types';
import { reviewMessage, type MessageLinks } from '../../review-message';
import { emailAddressProblem } from '../address';
import { noticeEmail, outcomeEmail, reviewEmail, type RenderedEmail } from '../render';
import { smtpTransport, type EmailSettings } from '../settings';
import { emailMessageId } from './message-id';
import { toEmailFailure } from './smtp-errors';

export interface EmailActivityDeps {
  /** Unset: no SMTP server is configured, and every email activity fails non-retryably. */
  email?: EmailSettings;
  /** `consoleUrl` is the link every email carries; `temporalUiUrl` is not used (one link only). */
  links: MessageLinks;
  /** Tests may inject a transport; the worker makes one from the settings. */
  transport?: (settings: EmailSettings) => Transporter;
}

export interface SendEmailReviewInput {
  state: ActionState;
  /** The address, as the policy names it after `email:`. */
  to: string;
}

export interface SendEmailNoticeInput {
  /** What sendEmailReview returned: the address and the review's Message-ID, which the notice replies to. */
  ref: StoredMessageRef;
  notice: ReviewNotice;
  /** The action as it stands, so the notice says what it is about (an email stands alone). */
  state: ActionState;
}

export interface SendEmailOutcomeInput {
  /** What sendEmailReview returned. */
  ref: StoredMessageRef;
  /** The action in its final state. */
  state: ActionState;
}

/** Headers that keep auto-responders (out of office) from answering, and let mail rules find Airlock's messages. */
const AUTOMATED_HEADERS = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };

/**
 * The email activities: send the review request, reply to it with reminders and escalations, and
 * with the outcome once the action is closed (an email cannot be updated in place). One SMTP
 * transaction per attempt; the failure says whether Temporal should retry (smtp-errors.ts). The
 * ref of a sent review is `{ conversation: <address>, messageId: <its Message-ID> }`.
 */
export function createEmailActivities(deps: EmailActivityDeps) {
  let shared: Transporter | undefined;
  const secrets = deps.email ? smtpUrlSecrets(deps.email.smtpUrl) : [];

  const settings = (): EmailSettings => {
    if (!deps.email) {
      throw ApplicationFailure.create({
        type: EmailFailureType.NotConfigured,
        message: 'email is not configured: set AIRLOCK_SMTP_URL and AIRLOCK_EMAIL_FROM on the worker',
        nonRetryable: true,
      });
    }
    return deps.email;
  };

  /** Sends one email; returns its Message-ID. */
  async function send(kind: Parameters<typeof emailMessageId>[0], actionId: string, to: string, email: RenderedEmail, thread?: MessageRef): Promise<string> {
    const smtp = settings();
    const problem = emailAddressProblem(to);
    if (problem) throw ApplicationFailure.create({ type: EmailFailureType.Permanent, message: `recipient ${problem}`, nonRetryable: true });
    const transport = (shared ??= (deps.transport ?? smtpTransport)(smtp));
    const messageId = emailMessageId(kind, actionId, to, smtp.from);
    try {
      await transport.sendMail({
        from: { name: 'Airlock', address: smtp.from },
        to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId,
        ...(thread ? { inReplyTo: thread.messageId, references: [thread.messageId] } : {}),
        headers: { ...AUTOMATED_HEADERS, 'X-Airlock-Action-Id': actionId },
      });
    } catch (err) {
      throw toEmailFailure(err, `sending the ${kind} email`, secrets);
    }
    return messageId;
  }

  return {
    /** Emails the review request to the policy's address; returns the address and the Message-ID, which later emails reply to. */
    async sendEmailReview(input: SendEmailReviewInput): Promise<MessageRef> {
      const messageId = await send('review', input.state.actionId, input.to, reviewEmail(reviewMessage(input.state, deps.links)));
      logInfo('sent review email', { actionId: input.state.actionId, messageId });
      return { conversation: input.to, messageId };
    },

    /** Emails a reminder or escalation notice in reply to the review request; returns its own ref. */
    async sendEmailNotice(input: SendEmailNoticeInput): Promise<MessageRef> {
      const thread = readMessageRef(input.ref);
      const email = noticeEmail(reviewMessage(input.state, deps.links), input.notice);
      const messageId = await send(input.notice.kind, input.notice.actionId, thread.conversation, email, thread);
      logInfo('sent notice email', { actionId: input.notice.actionId, kind: input.notice.kind, messageId, inReplyTo: thread.messageId });
      return { conversation: thread.conversation, messageId };
    },

    /** Emails the outcome (decided, expired, cancelled, executed or failed) in reply to the review request. */
    async sendEmailOutcome(input: SendEmailOutcomeInput): Promise<void> {
      const thread = readMessageRef(input.ref);
      const messageId = await send('outcome', input.state.actionId, thread.conversation, outcomeEmail(reviewMessage(input.state, deps.links)), thread);
      logInfo('sent outcome email', { actionId: input.state.actionId, status: input.state.status, messageId, inReplyTo: thread.messageId });
    },
  };
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;
