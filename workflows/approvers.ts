import { qualifiesForPool } from '../domain/approver-pool';
import type { ActionState, DecideInput } from '../domain/types';

/** Who may vote now: the review's approvers, and the escalation's once the review was escalated. */
export function eligibleApprovers(state: ActionState): string[] {
  const review = state.policy?.review;
  if (!review) return [];
  if (!state.escalation || !review.escalation) return review.eligibleApprovers;
  return [...new Set([...review.eligibleApprovers, ...review.escalation.eligibleApprovers])];
}

/**
 * Whether the voter may vote now: named among the approvers, or (for a console vote) in one of their
 * IdP groups by its signed sign-in; the escalation's too once the review was escalated.
 */
export function mayVote(state: ActionState, decision: Pick<DecideInput, 'reviewer' | 'authentication'>): boolean {
  const review = state.policy?.review;
  if (!review) return false;
  // Signed by the API, but checked for shape all the same: a list of names, or nothing.
  const signed = decision.authentication?.idpGroups;
  const groups = Array.isArray(signed) && signed.every((group) => typeof group === 'string') ? signed : undefined;
  if (qualifiesForPool(decision.reviewer, groups, review.eligibleApprovers, review.poolIdpGroups)) return true;
  const escalation = state.escalation ? review.escalation : undefined;
  return escalation !== undefined && qualifiesForPool(decision.reviewer, groups, escalation.eligibleApprovers, escalation.poolIdpGroups);
}

/** Eligible approvers who have not voted yet: the people a reminder is for. */
export function pendingApprovers(state: ActionState): string[] {
  const voted = new Set(state.votes.map((vote) => vote.reviewer));
  return eligibleApprovers(state).filter((id) => !voted.has(id));
}
