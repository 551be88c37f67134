import type { ActionStatus, Risk } from '../../domain/types';
import type { ReviewMessage } from '../review-message';

/**
 * Adaptive Card rendering of a ReviewMessage, for Microsoft Teams. Everything an agent controls
 * (params, justification, summary, requester id, outcome detail) goes into `TextRun`s, which
 * Teams renders as plain text: a TextBlock or FactSet would read it as markdown, so an agent could
 * dress up a link. Only our own text (labels, the deadline's date functions) uses TextBlock.
 *
 * The same function builds the card posted by the worker and the card the bot endpoint returns
 * in an invoke response, so both always agree.
 */

/** Verbs of the card's `Action.Execute`s; the bot endpoint dispatches on them. */
export const TEAMS_VERBS = {
  approve: 'airlock.approve',
  reject: 'airlock.reject',
  refresh: 'airlock.refresh',
} as const;
export type TeamsVerb = (typeof TEAMS_VERBS)[keyof typeof TEAMS_VERBS];

/** Id of the reason `Input.Text`: its value arrives in the invoke's `action.data.reason`. */
export const TEAMS_REASON_INPUT = 'reason';

/** What every `Action.Execute` of the card carries in `data` (inputs are merged in by Teams). */
export interface TeamsActionData {
  actionId: string;
}

/** The MIME type of an Adaptive Card attachment. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** An Adaptive Card as JSON. Kept loose: it is sent as is, and tests read it as data. */
export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard'; version: string; body: CardElement[] };
/** One element of a card body (TextBlock, RichTextBlock, Container, Input.Text, ...). */
export type CardElement = Record<string, unknown> & { type: string };

export interface TeamsCardOptions {
  /** A line shown above the card, e.g. the answer to the reviewer's own click ("Your approval was recorded"). */
  notice?: string;
  /**
   * Teams user ids (MRIs, `29:…`) whose clients refresh the card automatically when they see it
   * (Teams allows 60). Unset: the card still carries the refresh action, and clients show it on demand.
   */
  refreshUserIds?: string[];
}

/** Schema 1.4: the first with `Action.Execute` (Universal Actions); Teams clients render it. */
const CARD_VERSION = '1.4';
/** Longest param value shown; the API and the Temporal UI have the full value. */
const PARAM_VALUE_CHARS = 1000;
const PARAM_NAME_CHARS = 100;
/**
 * Teams refuses messages over about 28 KB, so params get a budget (names and values, characters)
 * and a count; past either, the card says how many more there are.
 */
const PARAM_BUDGET_CHARS = 12_000;
const MAX_PARAMS = 30;
const TEXT_CHARS = 3000;
/** Teams' own limit on `refresh.userIds`. */
const MAX_REFRESH_USERS = 60;

const STATUS: Record<ActionStatus, { label: string; color: TextColor }> = {
  evaluating: { label: 'Evaluating', color: 'default' },
  pending_review: { label: 'Awaiting review', color: 'accent' },
  approved: { label: 'Approved', color: 'good' },
  executing: { label: 'Executing', color: 'good' },
  succeeded: { label: 'Executed', color: 'good' },
  failed: { label: 'Failed', color: 'attention' },
  denied: { label: 'Denied', color: 'attention' },
  rejected: { label: 'Rejected', color: 'attention' },
  expired: { label: 'Expired', color: 'warning' },
  cancelled: { label: 'Cancelled', color: 'warning' },
};

const RISK_COLOR: Record<Risk, TextColor> = { low: 'good', medium: 'warning', high: 'attention', critical: 'attention' };

type TextColor = 'default' | 'accent' | 'good' | 'warning' | 'attention';

/** The Adaptive Card for one action: status, outcome once closed, facts, params, impact, why, and while open a reason box with Approve / Reject. */
export function teamsReviewCard(message: ReviewMessage, options: TeamsCardOptions = {}): AdaptiveCard {
  const body: CardElement[] = [];
  if (options.notice) body.push(container([richText([run(clip(options.notice, 500), { weight: 'Bolder' })])], 'emphasis'));
  body.push(header(message));
  if (message.outcome) body.push(outcomeContainer(message.outcome, message.status));
  body.push(richText([run(clip(message.summary, TEXT_CHARS), { weight: 'Bolder' })]));
  body.push(...facts(message));
  body.push(...paramElements(message.params));
  if (message.impact) body.push(...impactElements(message.impact));
  body.push(label('Justification'), richText([run(clip(message.justification || '(none given)', TEXT_CHARS), { italic: true })]));
  body.push(contextLine(message));

  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
  };
  if (message.open) {
    body.push({
      type: 'Input.Text',
      id: TEAMS_REASON_INPUT,
      label: 'Reason (required to reject)',
      placeholder: 'Why approve or reject',
      isMultiline: true,
      maxLength: 1000,
    });
    card.actions = [
      execute('Approve', TEAMS_VERBS.approve, message.actionId, 'positive'),
      execute('Reject', TEAMS_VERBS.reject, message.actionId, 'destructive'),
    ];
    // Only while open: a closed card is final, and without `refresh` Teams stops asking for it.
    card.refresh = refresh(message.actionId, options.refreshUserIds);
  }
  return card;
}

/** The notification and accessibility line for the card's activity (`summary`, `text`): plain text. */
export function teamsCardSummary(message: ReviewMessage): string {
  const who = `${message.action} requested by ${message.requester.id}`;
  const line = message.open
    ? `Approval needed (${message.risk} risk): ${who}: ${message.summary}`
    : `${who}: ${message.outcome?.title ?? STATUS[message.status].label}`;
  return clip(line, TEXT_CHARS);
}

function header(message: ReviewMessage): CardElement {
  const status = STATUS[message.status];
  return richText([
    run(clip(message.action, 150), { size: 'Large', weight: 'Bolder' }),
    run(` · ${status.label}`, { size: 'Large', weight: 'Bolder', color: status.color }),
  ]);
}

function outcomeContainer(outcome: NonNullable<ReviewMessage['outcome']>, status: ActionStatus): CardElement {
  const color = STATUS[status].color;
  const items = [richText([run(clip(outcome.title, 500), { weight: 'Bolder', color })])];
  if (outcome.detail) items.push(richText([run(clip(outcome.detail, TEXT_CHARS), { italic: true })]));
  return container(items, color === 'good' ? 'good' : color === 'default' || color === 'accent' ? 'emphasis' : color);
}

function facts(message: ReviewMessage): CardElement[] {
  const lines: CardElement[] = [
    fact('Requested by', [run(clip(message.requester.id, 200), { fontType: 'Monospace' }), run(` via ${clip(message.requester.source, 100)}`)]),
    fact('Risk', [run(capitalize(message.risk), { color: RISK_COLOR[message.risk], weight: 'Bolder' })]),
    fact('Approvals', [run(approvalsLine(message))]),
  ];
  if (message.deadline) lines.push(deadline(message.deadline));
  if (message.ruleId || message.policyReason) {
    const rule = [];
    if (message.ruleId) rule.push(run(clip(message.ruleId, 200), { fontType: 'Monospace' }));
    if (message.policyReason) rule.push(run(`${message.ruleId ? ': ' : ''}${clip(message.policyReason, 1500)}`));
    lines.push(fact('Policy rule', rule));
  }
  if (message.eligibleApprovers.length) lines.push(fact('Approvers', [run(names(message.eligibleApprovers))]));
  if (message.escalation) lines.push(fact('Escalated', [run(`to ${names(message.escalation.approverGroups)}, ${utc(message.escalation.at)}`)]));
  return lines;
}

/** e.g. "1 of 2 approvals: alice". */
function approvalsLine(message: ReviewMessage): string {
  const count = `${message.approvals.length} of ${message.quorum} approval${message.quorum === 1 ? '' : 's'}`;
  return message.approvals.length ? `${count}: ${names(message.approvals)}` : count;
}

/**
 * A TextBlock, not a TextRun: only TextBlock evaluates DATE/TIME, which show the deadline in each
 * reader's own time zone. The ISO string is our own (re-formatted here), so no agent text reaches markdown.
 */
function deadline(iso: string): CardElement {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return fact('Deadline', [run(clip(iso, 100))]);
  const rfc3339 = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { type: 'TextBlock', text: `**Deadline**: {{DATE(${rfc3339}, SHORT)}} {{TIME(${rfc3339})}}`, wrap: true, spacing: 'None' };
}

function paramElements(params: ReviewMessage['params']): CardElement[] {
  if (params.length === 0) return [label('Parameters'), richText([run('none', { italic: true })])];
  const elements: CardElement[] = [label(`Parameters (${params.length})`)];
  let spent = 0;
  let shown = 0;
  for (const param of params.slice(0, MAX_PARAMS)) {
    const name = clip(param.name, PARAM_NAME_CHARS);
    const value = paramValue(param.value);
    spent += name.length + value.reduce((sum, r) => sum + String(r.text).length, 0);
    if (spent > PARAM_BUDGET_CHARS) break;
    elements.push(fact(name, value));
    shown += 1;
  }
  if (shown < params.length) {
    elements.push(richText([run(`…and ${params.length - shown} more parameters: see the API or the Temporal UI`, { italic: true })]));
  }
  return elements;
}

function paramValue(value: string): Record<string, unknown>[] {
  if (value === '') return [run('(empty)', { italic: true })];
  const length = Array.from(value).length;
  if (length <= PARAM_VALUE_CHARS) return [run(value, { fontType: 'Monospace' })];
  return [run(clip(value, PARAM_VALUE_CHARS, ''), { fontType: 'Monospace' }), run(` … (truncated; ${length} characters in full)`, { italic: true })];
}

/** What would change: warnings first, then the notes, then any detail (e.g. a policy diff) in monospace. */
function impactElements(impact: NonNullable<ReviewMessage['impact']>): CardElement[] {
  const elements: CardElement[] = [label('Impact')];
  if (impact.error) {
    elements.push(richText([run(`Could not preview the impact: ${clip(impact.error, 1000)}`, { color: 'warning' })]));
    return elements;
  }
  for (const warning of impact.warnings) elements.push(richText([run(`⚠ ${clip(warning, 1000)}`, { color: 'warning' })]));
  for (const note of impact.notes) elements.push(richText([run(`• ${clip(note, 1000)}`)]));
  if (!impact.warnings.length && !impact.notes.length) elements.push(richText([run('(no changes found)', { italic: true })]));
  if (impact.detail) {
    elements.push(
      impact.detail.length <= TEXT_CHARS
        ? richText([run(impact.detail, { fontType: 'Monospace' })])
        : richText([run('(the full detail is in the API)', { italic: true })]),
    );
  }
  return elements;
}

function contextLine(message: ReviewMessage): CardElement {
  const runs = [run('Action ', { isSubtle: true }), run(clip(message.actionId, 255), { fontType: 'Monospace', isSubtle: true })];
  if (message.links.temporalUi) {
    runs.push(
      run(' · ', { isSubtle: true }),
      run('Open in Temporal UI', { color: 'accent', selectAction: { type: 'Action.OpenUrl', url: message.links.temporalUi } }),
    );
  }
  return { ...richText(runs), spacing: 'Medium' };
}

function execute(title: string, verb: TeamsVerb, actionId: string, style: 'positive' | 'destructive'): Record<string, unknown> {
  const data: TeamsActionData = { actionId };
  return { type: 'Action.Execute', title, verb, data, style };
}

function refresh(actionId: string, userIds: string[] | undefined): Record<string, unknown> {
  const data: TeamsActionData = { actionId };
  return {
    action: { type: 'Action.Execute', title: 'Refresh', verb: TEAMS_VERBS.refresh, data },
    ...(userIds?.length ? { userIds: userIds.slice(0, MAX_REFRESH_USERS) } : {}),
  };
}

/** "Label: value" on one line, the value in plain-text runs. */
function fact(name: string, value: Record<string, unknown>[]): CardElement {
  return { ...richText([run(`${name}: `, { weight: 'Bolder' }), ...value]), spacing: 'None' };
}

function label(text: string): CardElement {
  return { type: 'TextBlock', text, weight: 'Bolder', wrap: true, spacing: 'Medium' };
}

function richText(inlines: Record<string, unknown>[]): CardElement {
  return { type: 'RichTextBlock', inlines };
}

/** A TextRun: rendered as plain text by every host (no markdown), so agent text is shown as written. */
function run(text: string, style: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'TextRun', text, ...style };
}

function container(items: CardElement[], style: 'emphasis' | 'good' | 'warning' | 'attention'): CardElement {
  return { type: 'Container', style, items };
}

function names(ids: string[]): string {
  return clip(ids.join(', '), 1000);
}

function utc(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? clip(iso, 100) : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `text` cut to at most `budget` UTF-16 units, ellipsis included, never inside a surrogate pair. */
function clip(text: string, budget: number, ellipsis = '…'): string {
  if (text.length <= budget) return text;
  let out = '';
  for (const c of text) {
    if (out.length + c.length + ellipsis.length > budget) break;
    out += c;
  }
  return `${out}${ellipsis}`;
}
