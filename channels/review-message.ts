import { temporalUiLink, type TemporalUiLinks } from '../config/temporal-ui';
import { eligibleApprovers } from '../workflows/approvers';
import type { ActionState, ActionStatus, Risk, Vote } from '../domain/types';

/**
 * What every messaging channel (Slack, Teams) shows about one action: who asks, what exactly,
 * why, the risk and rule, the quorum and votes so far, the deadline, and the outcome once closed.
 * Channel renderers turn this into Block Kit, Adaptive Cards, ...; they add nothing of their own.
 */
export interface ReviewMessage {
  actionId: string;
  status: ActionStatus;
  /** Open for votes: render Approve / Reject controls. */
  open: boolean;
  requester: { id: string; source: string };
  action: string;
  /** One line: exactly what will happen. */
  summary: string;
  params: { name: string; value: string }[];
  justification: string;
  /** What would change, read before review; `error` when it could not be read. */
  impact?: { notes: string[]; warnings: string[]; detail?: string; error?: string };
  risk: Risk;
  ruleId: string;
  policyReason: string;
  quorum: number;
  approvals: string[];
  votes: Vote[];
  /** Who may vote now, escalated approvers included. */
  eligibleApprovers: string[];
  /** Set once the review was escalated to more approvers. */
  escalation?: { approverGroups: string[]; at: string } | undefined;
  deadline?: string | undefined;
  /** Set once closed: e.g. "Approved by alice, carol and executed", with detail such as the result. */
  outcome?: { title: string; detail?: string | undefined } | undefined;
  /** The Temporal UI's page of the workflow; the console's page of the action, where reviewers sign in and decide. */
  links: { temporalUi?: string; console?: string };
}

/** Channel messages link to the Temporal UI, and to the console, when their URLs are configured. */
export interface MessageLinks extends TemporalUiLinks {
  /**
   * The public base URL browsers reach the API and its console at (AIRLOCK_CONSOLE_URL), without
   * a trailing slash: `https://airlock.example.com`. Unset: messages name the API route instead.
   */
  consoleUrl?: string;
}

/** The console's page of one action: `<consoleUrl>/console/actions/<id>`, or undefined without a console URL. */
export function consoleActionLink(links: Pick<MessageLinks, 'consoleUrl'>, actionId: string): string | undefined {
  if (!links.consoleUrl) return undefined;
  return `${links.consoleUrl.replace(/\/+$/, '')}/console/actions/${encodeURIComponent(actionId)}`;
}

/** Builds the channel-neutral message for the state of an action. */
export function reviewMessage(state: ActionState, links: MessageLinks): ReviewMessage {
  const review = state.policy?.review;
  const approvals = state.votes.filter((vote) => vote.verdict === 'approve').map((vote) => vote.reviewer);
  return {
    actionId: state.actionId,
    status: state.status,
    open: state.status === 'pending_review',
    requester: state.request.requester,
    action: state.request.action,
    summary: state.operation?.summary ?? state.request.action,
    params: Object.entries(state.request.params).map(([name, value]) => ({
      name,
      value: typeof value === 'string' ? value : JSON.stringify(value),
    })),
    justification: state.request.justification,
    ...(state.preview ? { impact: impactOf(state.preview) } : {}),
    risk: state.policy?.risk ?? 'medium',
    ruleId: state.policy?.ruleId ?? '',
    policyReason: state.policy?.reason ?? '',
    quorum: review?.quorum ?? 1,
    approvals,
    votes: state.votes,
    eligibleApprovers: eligibleApprovers(state),
    ...(state.escalation ? { escalation: { approverGroups: state.escalation.approverGroups, at: state.escalation.at } } : {}),
    ...(state.deadline ? { deadline: state.deadline } : {}),
    ...(outcomeOf(state, approvals) ? { outcome: outcomeOf(state, approvals) } : {}),
    links: linksOf(links, state.actionId),
  };
}

function linksOf(links: MessageLinks, actionId: string): ReviewMessage['links'] {
  const temporalUi = temporalUiLink(links, actionId);
  const consolePage = consoleActionLink(links, actionId);
  return { ...(temporalUi ? { temporalUi } : {}), ...(consolePage ? { console: consolePage } : {}) };
}

function impactOf(preview: NonNullable<ActionState['preview']>): NonNullable<ReviewMessage['impact']> {
  if ('error' in preview) return { notes: [], warnings: [], error: `${preview.error.type}: ${preview.error.message}` };
  return { notes: preview.notes, warnings: preview.warnings, ...(preview.detail ? { detail: preview.detail } : {}) };
}

function outcomeOf(state: ActionState, approvals: string[]): ReviewMessage['outcome'] {
  const approvedBy = approvals.length ? `approved by ${approvals.join(', ')}` : 'allowed by policy';
  switch (state.status) {
    case 'approved':
    case 'executing':
      return { title: `Approved: ${approvedBy}; executing` };
    case 'succeeded':
      return { title: `Executed: ${approvedBy}`, ...(state.result ? { detail: state.result.summary } : {}) };
    case 'failed':
      return { title: `Failed after being ${approvedBy}`, ...(state.error ? { detail: `${state.error.type}: ${state.error.message}` } : {}) };
    case 'rejected': {
      const rejection = state.votes.find((vote) => vote.verdict === 'reject');
      return { title: `Rejected by ${rejection?.reviewer ?? 'a reviewer'}`, ...(rejection?.comment ? { detail: rejection.comment } : {}) };
    }
    case 'expired':
      return { title: 'Expired: no decision before the deadline' };
    case 'cancelled':
      return {
        title: `Cancelled by ${state.cancellation?.by ?? 'the requester'}`,
        ...(state.cancellation?.reason ? { detail: state.cancellation.reason } : {}),
      };
    case 'denied':
      return { title: 'Denied by policy', detail: state.policy?.reason ?? '' };
    default:
      return undefined;
  }
}
