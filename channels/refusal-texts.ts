import { DomainError, DomainErrorCode } from '../domain/errors';
import { RefusalCode } from '../domain/types';
import { REJECT_REASON_MAX_CHARS } from './reason-limit';

/**
 * What a reviewer reads when a chat channel cannot take their decision, written once so a refusal
 * reads the same in Slack and Teams. A channel supplies its own words only where they differ: how
 * it asks for a reason, what shows a recorded decision, which id links an account.
 */

/** The words that differ between chat channels. */
export interface ChannelWording {
  /** How the channel asks for a reason, e.g. "Say why you reject this request." */
  reasonRequired: string;
  /** What shows a recorded decision there, e.g. "the request message" or "the card". */
  decisionShownIn: string;
}

/** Sentences every chat channel shows as they are, or with its own words filled in. */
export const REVIEWER_TEXT = {
  reasonTooLong: `Keep the reason to ${REJECT_REASON_MAX_CHARS.toLocaleString('en-US')} characters or fewer.`,
  somethingWentWrong: 'Something went wrong in Airlock while handling your decision. Try again, or decide through the Airlock API.',
  /** `account` names it with its id ("Slack account (U0123)"); `idName` is what an administrator adds ("Slack user id"). */
  notLinked: (account: string, idName: string): string =>
    `Your ${account} is not linked to an Airlock identity, so Airlock cannot take your decision. ` +
    `Ask an Airlock administrator to add your ${idName} to the policy.`,
  notConfirmed: (decisionShownIn: string): string =>
    `Airlock could not confirm your decision in time. It may still be recorded, and ${decisionShownIn} will show it; if it does not, try again.`,
} as const;

/** The sentence for each domain error a reviewer can do something about, by its code; the others have none. */
export type RefusalTexts = Readonly<Partial<Record<DomainErrorCode, string>>>;

/** A sentence for each refusal the workflow (or the service in front of it) can give a reviewer, in one channel's words. */
export function refusalTexts(wording: ChannelWording): RefusalTexts {
  return {
    [RefusalCode.SelfApproval]: 'You cannot review your own request: another approver has to decide.',
    [RefusalCode.NotAnApprover]: 'You are not an approver for the policy rule that covers this request, so your decision was not counted.',
    [RefusalCode.AlreadyVoted]: 'You have already voted on this request; your earlier vote stands.',
    [RefusalCode.ActionClosed]: 'This request is closed: it was already decided, cancelled or expired.',
    [RefusalCode.NotPendingReview]: 'This request is no longer pending review, so it takes no more decisions.',
    [RefusalCode.CommentRequired]: wording.reasonRequired,
    [RefusalCode.StepUpRequired]:
      'This request asks for a recent sign-in, which a click here cannot prove: open it in the Airlock console, sign in again and decide there.',
    [DomainErrorCode.ActionNotFound]: 'Airlock has no such request (it may have been removed after its retention period).',
    [DomainErrorCode.WorkerUnavailable]: REVIEWER_TEXT.notConfirmed(wording.decisionShownIn),
  };
}

/** A refusal a reviewer can act on: the domain error's code (for the log) and the sentence to show. */
export interface ReviewerRefusal {
  code: DomainErrorCode;
  sentence: string;
}

/**
 * What a chat channel tells the reviewer for an error of the actions service: the sentence for its
 * domain error (with `consoleLink`, the action's console page, when a step-up sends them there), or undefined when there is none (an unexpected failure, or one only an operator can
 * fix); the channel then says that something went wrong, and logs the error.
 */
export function reviewerRefusal(texts: RefusalTexts, err: unknown, consoleLink?: string): ReviewerRefusal | undefined {
  if (!(err instanceof DomainError)) return undefined;
  const sentence = texts[err.code];
  if (sentence === undefined) return undefined;
  // A step-up is decided in the console: the sentence leads there when its address is known.
  return { code: err.code, sentence: err.code === RefusalCode.StepUpRequired && consoleLink ? `${sentence} ${consoleLink}` : sentence };
}
