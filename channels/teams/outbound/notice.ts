import type { ReviewNotice } from '../../../domain/types';
import type { TeamsOutgoingActivity } from './connector';

/**
 * A reminder or escalation notice, posted as a reply to the review card. People are mentioned by
 * their Azure AD object id where the policy maps them (so Teams notifies them), else named.
 * The text is markdown, so names and groups (from the policy, not the agent) are stripped of markup.
 */
export function teamsNoticeActivity(notice: ReviewNotice, teamsUserOf: (identityId: string) => string | undefined): TeamsOutgoingActivity {
  const entities: Record<string, unknown>[] = [];
  const mentions = notice.mention.map((id) => {
    const user = teamsUserOf(id);
    if (!user) return `\`${plain(id)}\``;
    const text = `<at>${plain(id)}</at>`;
    entities.push({ type: 'mention', text, mentioned: { id: user, name: plain(id) } });
    return text;
  });
  const missing = Math.max(notice.quorum - notice.approvals, 1);
  const needs = `${missing} more approval${missing === 1 ? '' : 's'} (${notice.approvals} of ${notice.quorum})`;
  const deadline = notice.deadline ? ` before ${utc(notice.deadline)}` : '';
  let text: string;
  if (notice.kind === 'reminder') {
    const waiting = mentions.length > 0 ? ` Waiting on ${mentions.join(', ')}.` : '';
    text = `⏰ **Reminder:** this request still needs ${needs}${deadline}.${waiting}`;
  } else {
    const groups = (notice.approverGroups ?? []).map((group) => `\`${plain(group)}\``).join(', ');
    const who = mentions.length > 0 ? ` ${mentions.join(', ')}: you may now approve or reject it.` : '';
    text = `⏫ **Escalated** to ${groups || 'more approvers'}: no decision yet, ${needs} needed${deadline}.${who}`;
  }
  return { type: 'message', textFormat: 'markdown', text, ...(entities.length ? { entities } : {}) };
}

/** Removes what could open markup or a mention: angle brackets, backticks, brackets. */
function plain(text: string): string {
  return text.replace(/[<>`[\]*_]/g, '');
}

function utc(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? plain(iso) : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
