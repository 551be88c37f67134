import type { ReviewNotice } from '../../../domain/types';
import { escapeMrkdwn, slackDate } from '../blocks';

/**
 * The text of a reminder or escalation notice, posted in the review message's thread. People are
 * mentioned by Slack user id where the policy maps them (so Slack notifies them), else named.
 */
export function noticeText(notice: ReviewNotice, slackUserOf: (identityId: string) => string | undefined): string {
  const mentions = notice.mention.map((id) => {
    const user = slackUserOf(id);
    return user ? `<@${user}>` : `\`${escapeMrkdwn(id)}\``;
  });
  const missing = Math.max(notice.quorum - notice.approvals, 1);
  const needs = `${missing} more approval${missing === 1 ? '' : 's'} (${notice.approvals} of ${notice.quorum})`;
  const deadline = notice.deadline ? ` before ${slackDate(notice.deadline)}` : '';
  if (notice.kind === 'reminder') {
    const waiting = mentions.length > 0 ? ` Waiting on ${mentions.join(', ')}.` : '';
    return `:alarm_clock: *Reminder:* this request still needs ${needs}${deadline}.${waiting}`;
  }
  const groups = (notice.approverGroups ?? []).map((group) => `\`${escapeMrkdwn(group)}\``).join(', ');
  const who = mentions.length > 0 ? ` ${mentions.join(', ')}: you may now approve or reject it.` : '';
  return `:arrow_double_up: *Escalated* to ${groups || 'more approvers'}: no decision yet, ${needs} needed${deadline}.${who}`;
}
