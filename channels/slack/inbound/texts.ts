import { refusalTexts, REVIEWER_TEXT } from '../../refusal-texts';

/** What the clicking Slack user reads, privately (an ephemeral reply, or an error in the reject dialog). */
export const SLACK_TEXT = {
  notLinked: (slackUserId: string) => REVIEWER_TEXT.notLinked(`Slack account (${slackUserId})`, 'Slack user id'),
  slackNotConfigured:
    'Slack is not fully configured on this Airlock server (no bot token), so the rejection form cannot open. Reject through the Airlock API instead.',
  reasonRequired: 'Say why you reject this request.',
  reasonTooLong: REVIEWER_TEXT.reasonTooLong,
  modalFailed: 'Airlock could not open the rejection form. Click Reject again in a moment, or reject through the Airlock API.',
  somethingWentWrong: REVIEWER_TEXT.somethingWentWrong,
} as const;

/** A sentence for each refusal the workflow (or the actions service in front of it) can give a reviewer; `reviewerRefusal` picks it. */
export const SLACK_REFUSAL_TEXT = refusalTexts({ reasonRequired: SLACK_TEXT.reasonRequired, decisionShownIn: 'the request message' });
