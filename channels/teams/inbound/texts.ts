import { refusalTexts, REVIEWER_TEXT } from '../../refusal-texts';

/** What the clicking Teams user reads on top of the card (or alone, when the card cannot be read). */
export const TEAMS_TEXT = {
  approved: 'Your approval was recorded.',
  rejected: 'Your rejection was recorded.',
  notLinked: (aadObjectId: string | undefined) => REVIEWER_TEXT.notLinked(`Teams account (${aadObjectId ?? 'no Azure AD object id'})`, 'Azure AD object id'),
  reasonRequired: 'Say why you reject this request: type a reason in the box, then click Reject.',
  reasonTooLong: REVIEWER_TEXT.reasonTooLong,
  somethingWentWrong: REVIEWER_TEXT.somethingWentWrong,
} as const;

/** A sentence for each refusal the workflow (or the actions service in front of it) can give a reviewer; `reviewerRefusal` picks it. */
export const TEAMS_REFUSAL_TEXT = refusalTexts({ reasonRequired: TEAMS_TEXT.reasonRequired, decisionShownIn: 'the card' });
