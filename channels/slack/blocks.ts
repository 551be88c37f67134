import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import type { ActionStatus, Risk } from '../../domain/types';
import type { ReviewMessage } from '../review-message';
import { SLACK_APPROVE_ACTION, SLACK_REJECT_ACTION } from './action-ids';

/**
 * Block Kit rendering of a ReviewMessage. Everything an agent controls (params, justification,
 * summary, even the requester id) is escaped for mrkdwn, so it cannot mention people, ping a
 * channel or dress up a link; the only markup here is our own (dates, the Temporal UI link).
 */

/** Block Kit limits (docs.slack.dev, Block Kit reference). */
export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  fieldsPerSection: 10,
  confirmText: 300,
} as const;

/**
 * Longest param value shown (escaped characters): past it the message gets hard to read, and the
 * API has the full value. With the name and the truncation note, a field stays well under 2000.
 */
const PARAM_VALUE_CHARS = 1000;
const PARAM_NAME_CHARS = 100;
/** Notification text: Slack truncates past 40,000 and advises far less. */
const FALLBACK_TEXT_CHARS = 3000;

const RISK_EMOJI: Record<Risk, string> = {
  low: ':large_green_circle:',
  medium: ':large_yellow_circle:',
  high: ':large_orange_circle:',
  critical: ':red_circle:',
};

const STATUS: Record<ActionStatus, { label: string; emoji: string }> = {
  evaluating: { label: 'Evaluating', emoji: ':hourglass_flowing_sand:' },
  pending_review: { label: 'Awaiting review', emoji: ':raised_hand:' },
  approved: { label: 'Approved', emoji: ':gear:' },
  executing: { label: 'Executing', emoji: ':gear:' },
  succeeded: { label: 'Executed', emoji: ':white_check_mark:' },
  failed: { label: 'Failed', emoji: ':x:' },
  denied: { label: 'Denied', emoji: ':no_entry:' },
  rejected: { label: 'Rejected', emoji: ':no_entry_sign:' },
  expired: { label: 'Expired', emoji: ':hourglass:' },
  cancelled: { label: 'Cancelled', emoji: ':heavy_multiplication_x:' },
};

/** The Block Kit message for one action: header, outcome once closed, who and risk, every param, why, and buttons while open. */
export function reviewBlocks(message: ReviewMessage): { text: string; blocks: KnownBlock[] } {
  const head: KnownBlock[] = [header(message)];
  if (message.outcome) head.push(outcomeSection(message.outcome, message.status));
  head.push(factsSection(message));

  const tail: KnownBlock[] = [...(message.impact ? [impactSection(message.impact)] : []), justificationSection(message.justification), contextBlock(message)];
  if (message.open) tail.push({ type: 'divider' }, actionsBlock(message));

  const paramBlocks = paramSections(message.params, BLOCK_KIT_LIMITS.blocksPerMessage - head.length - tail.length);
  return { text: fallbackText(message), blocks: [...head, ...paramBlocks, ...tail] };
}

/** mrkdwn escaping: the three characters Slack's markup is built from. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function header(message: ReviewMessage): HeaderBlock {
  const status = STATUS[message.status];
  return {
    type: 'header',
    text: { type: 'plain_text', text: clip(`${status.emoji} ${message.action} · ${status.label}`, BLOCK_KIT_LIMITS.headerText, (c) => c), emoji: true },
  };
}

function outcomeSection(outcome: NonNullable<ReviewMessage['outcome']>, status: ActionStatus): SectionBlock {
  const title = `${STATUS[status].emoji} *${clip(outcome.title, 500)}*`;
  const budget = BLOCK_KIT_LIMITS.sectionText - title.length - 2;
  return section(outcome.detail ? `${title}\n>${clip(outcome.detail, budget, quoted)}` : title);
}

function factsSection(message: ReviewMessage): SectionBlock {
  const fields = [
    field('Requested by', `\`${code(message.requester.id, 200)}\` via ${clip(message.requester.source, 100)}`),
    field('Risk', `${RISK_EMOJI[message.risk]} ${capitalize(message.risk)}`),
    field('Approvals', approvalsLine(message)),
  ];
  if (message.deadline) fields.push(field('Deadline', slackDate(message.deadline)));
  if (message.ruleId || message.policyReason) {
    const rule = message.ruleId ? `\`${code(message.ruleId, 200)}\`` : '';
    fields.push(field('Policy rule', [rule, clip(message.policyReason, 1500)].filter(Boolean).join(': ')));
  }
  if (message.eligibleApprovers.length) fields.push(field('Approvers', names(message.eligibleApprovers)));
  if (message.escalation) fields.push(field('Escalated', `to ${names(message.escalation.approverGroups)}, ${slackDate(message.escalation.at)}`));
  return { ...section(`*${clip(message.summary, BLOCK_KIT_LIMITS.sectionText - 2)}*`), fields };
}

/** e.g. "1 of 2 approvals: alice". */
function approvalsLine(message: ReviewMessage): string {
  const count = `${message.approvals.length} of ${message.quorum} approval${message.quorum === 1 ? '' : 's'}`;
  return message.approvals.length ? `${count}: ${names(message.approvals)}` : count;
}

/** What would change: warnings first, then the notes, then any detail (e.g. a policy diff) as code. */
function impactSection(impact: NonNullable<ReviewMessage['impact']>): SectionBlock {
  const title = '*Impact*\n';
  const lines = impact.error
    ? [`:grey_question: Could not preview the impact: ${escapeMrkdwn(impact.error)}`]
    : [...impact.warnings.map((warning) => `:warning: ${escapeMrkdwn(warning)}`), ...impact.notes.map((note) => `• ${escapeMrkdwn(note)}`)];
  // Drop whole lines (never half an escaped entity) until it fits; the API shows everything.
  const budget = BLOCK_KIT_LIMITS.sectionText - title.length - 60;
  let kept = lines;
  while (kept.join('\n').length > budget) kept = kept.slice(0, -1);
  let text = kept.join('\n') || (lines.length ? '' : '(no changes found)');
  if (kept.length < lines.length) text += `\n…and ${lines.length - kept.length} more (see the API)`;
  // The detail (e.g. a policy diff) is shown whole, as code, or not at all.
  const detail = impact.detail ? `\n\`\`\`${escapeMrkdwn(impact.detail).replace(/`/g, 'ˋ')}\`\`\`` : '';
  if (detail && text.length + detail.length <= budget) text += detail;
  else if (detail) text += '\n(the full detail is in the API)';
  return section(`${title}${text}`);
}

function justificationSection(justification: string): SectionBlock {
  const title = '*Justification*\n>';
  return section(`${title}${clip(justification || '(none given)', BLOCK_KIT_LIMITS.sectionText - title.length, quoted)}`);
}

/**
 * Every param as a field, ten to a section. If even that would pass the 50-block limit, the last
 * field says how many were left out (the API and the Temporal UI show them all).
 */
function paramSections(params: ReviewMessage['params'], blockBudget: number): SectionBlock[] {
  if (params.length === 0) return [section('*Parameters*\n_none_')];
  const perSection = BLOCK_KIT_LIMITS.fieldsPerSection;
  const capacity = Math.max(1, blockBudget) * perSection;
  const shown = params.length <= capacity ? params : params.slice(0, capacity - 1);
  const fields = shown.map((param) => mrkdwn(`*${clip(param.name, PARAM_NAME_CHARS)}*\n${paramValue(param.value)}`));
  if (shown.length < params.length) {
    fields.push(mrkdwn(`_…and ${params.length - shown.length} more parameters: see the API or the Temporal UI_`));
  }
  const sections: SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += perSection) {
    const title = i === 0 ? `*Parameters* (${params.length})` : `*Parameters* (continued)`;
    sections.push({ ...section(title), fields: fields.slice(i, i + perSection) });
  }
  return sections;
}

/**
 * A value in code format. Slack has no escape for a backtick, so one inside a value would end the
 * code span; it is shown as a look-alike (ˋ). Multi-line values go in a code block.
 */
function paramValue(value: string): string {
  if (value === '') return '_(empty)_';
  const fence = value.includes('\n') ? '```' : '`';
  const whole = code(value, Number.POSITIVE_INFINITY);
  if (whole.length <= PARAM_VALUE_CHARS) return `${fence}${whole}${fence}`;
  return `${fence}${code(value, PARAM_VALUE_CHARS, '')}${fence} … _(truncated; ${Array.from(value).length} characters in full)_`;
}

function contextBlock(message: ReviewMessage): ContextBlock {
  const parts = [`Action \`${code(message.actionId, 255)}\``];
  if (message.links.temporalUi) parts.push(`<${linkUrl(message.links.temporalUi)}|Open in Temporal UI>`);
  return { type: 'context', elements: [mrkdwn(parts.join(' · '))] };
}

function actionsBlock(message: ReviewMessage): ActionsBlock {
  const approve: Button = {
    type: 'button',
    action_id: SLACK_APPROVE_ACTION,
    text: { type: 'plain_text', text: 'Approve' },
    style: 'primary',
    value: message.actionId,
    // One more look before credentials are issued; a reject asks for a reason in a modal instead.
    confirm: {
      title: { type: 'plain_text', text: 'Approve this action?' },
      // No agent-written text here: plain_text is not escaped, and the message above shows the details.
      text: {
        type: 'plain_text',
        text: clip(`Approve ${message.action} exactly as shown in the message? It runs once the quorum is reached.`, BLOCK_KIT_LIMITS.confirmText, (c) => c),
      },
      confirm: { type: 'plain_text', text: 'Approve' },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'primary',
    },
  };
  const reject: Button = {
    type: 'button',
    action_id: SLACK_REJECT_ACTION,
    text: { type: 'plain_text', text: 'Reject' },
    style: 'danger',
    value: message.actionId,
  };
  return { type: 'actions', block_id: 'airlock_actions', elements: [approve, reject] };
}

/** The notification and accessibility text: one line, escaped like the blocks. */
function fallbackText(message: ReviewMessage): string {
  const who = `${message.action} requested by ${message.requester.id}`;
  const line = message.open
    ? `Approval needed (${message.risk} risk): ${who}: ${message.summary}`
    : `${who}: ${message.outcome?.title ?? STATUS[message.status].label}`;
  return clip(line, FALLBACK_TEXT_CHARS);
}

/** `<!date^…>` shows the deadline in each reader's own time zone; the fallback is UTC. */
export function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return clip(iso, 100);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

/** A link target inside `<url|label>`: `|` and `>` would end it early, so they are percent-encoded. */
function linkUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
}

function names(ids: string[]): string {
  return clip(ids.join(', '), 1000);
}

function field(label: string, value: string): MrkdwnElement {
  return mrkdwn(`*${label}*\n${value}`);
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

/** verbatim: no auto-linking of bare URLs, channel names or handles in text we did not write. */
function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Escaped text for a code span: backticks become a look-alike so the span cannot be closed early. */
function code(text: string, budget: number, ellipsis = '…'): string {
  return clip(text, budget, (c) => (c === '`' ? 'ˋ' : escapeMrkdwn(c)), ellipsis);
}

/** Block-quote continuation: each new line starts with `>` again. */
function quoted(c: string): string {
  return c === '\n' ? '\n>' : escapeMrkdwn(c);
}

/**
 * `text` mapped character by character (escaping by default) and cut so the result, ellipsis
 * included, is at most `budget` UTF-16 units: never in the middle of an entity or a surrogate pair.
 */
function clip(text: string, budget: number, map: (c: string) => string = escapeMrkdwn, ellipsis = '…'): string {
  const whole = Array.from(text, map).join('');
  if (whole.length <= budget) return whole;
  let out = '';
  for (const c of text) {
    const piece = map(c);
    if (out.length + piece.length + ellipsis.length > budget) break;
    out += piece;
  }
  return `${out}${ellipsis}`;
}
