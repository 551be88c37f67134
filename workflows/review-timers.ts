import type { ReviewRequirement } from '../domain/types';

/** A durable timer of an open review: remind the reviewers, or escalate to more of them. */
export interface ReviewTimer {
  kind: 'reminder' | 'escalation';
  /** Epoch milliseconds (workflow time). */
  at: number;
}

/**
 * The review's reminders and escalation in time order, each strictly between opening and the
 * deadline (policy loading refuses any other). At equal times the escalation goes first, so the
 * reminder already names the escalated approvers.
 */
export function reviewTimers(review: ReviewRequirement, openedAt: number, deadlineAt: number): ReviewTimer[] {
  const timers: ReviewTimer[] = (review.remindBeforeMs ?? []).map((before) => ({ kind: 'reminder', at: deadlineAt - before }));
  if (review.escalation) timers.push({ kind: 'escalation', at: openedAt + review.escalation.afterMs });
  return timers
    .filter((timer) => timer.at > openedAt && timer.at < deadlineAt)
    .sort((a, b) => a.at - b.at || (a.kind === 'escalation' ? -1 : 1) - (b.kind === 'escalation' ? -1 : 1));
}
