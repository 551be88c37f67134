import { REJECT_REASON_MAX_CHARS } from '../../activities/notify/slack/reject-modal';
import { RefusalCode } from '../../domain/types';

/** What the clicking Teams user reads on top of the card (or alone, when the card cannot be read). */
export const TEAMS_TEXT = {
  approved: 'Your approval was recorded.',
  rejected: 'Your rejection was recorded.',
  notLinked: (aadObjectId: string | undefined) =>
    `Your Teams account (${aadObjectId ?? 'no Azure AD object id'}) is not linked to an Airlock identity, so Airlock cannot take your decision. ` +
    'Ask an Airlock administrator to add your Azure AD object id to the policy.',
  reasonRequired: 'Say why you reject this request: type a reason in the box, then click Reject.',
  reasonTooLong: `Keep the reason to ${REJECT_REASON_MAX_CHARS.toLocaleString('en-US')} characters or fewer.`,
  somethingWentWrong: 'Something went wrong in Airlock while handling your decision. Try again, or decide through the Airlock API.',
} as const;

/** A sentence for each refusal the workflow (or the API in front of it) can give a reviewer. */
export const TEAMS_REFUSAL_TEXT: Record<string, string> = {
  [RefusalCode.SelfApproval]: 'You cannot review your own request: another approver has to decide.',
  [RefusalCode.NotAnApprover]: 'You are not an approver for the policy rule that covers this request, so your decision was not counted.',
  [RefusalCode.AlreadyVoted]: 'You have already voted on this request; your earlier vote stands.',
  [RefusalCode.ActionClosed]: 'This request is closed: it was already decided, cancelled or expired.',
  [RefusalCode.NotPendingReview]: 'This request is no longer pending review, so it takes no more decisions.',
  [RefusalCode.CommentRequired]: TEAMS_TEXT.reasonRequired,
  action_not_found: 'Airlock has no such request (it may have been removed after its retention period).',
  worker_unavailable: 'Airlock could not confirm your decision in time. It may still be recorded, and the card will show it; if it does not, try again.',
};
