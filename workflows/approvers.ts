import type { ActionState } from '../domain/types';

/** Who may vote now: the review's approvers, and the escalation's once the review was escalated. */
export function eligibleApprovers(state: ActionState): string[] {
  const review = state.policy?.review;
  if (!review) return [];
  if (!state.escalation || !review.escalation) return review.eligibleApprovers;
  return [...new Set([...review.eligibleApprovers, ...review.escalation.eligibleApprovers])];
}

/** Eligible approvers who have not voted yet: the people a reminder is for. */
export function pendingApprovers(state: ActionState): string[] {
  const voted = new Set(state.votes.map((vote) => vote.reviewer));
  return eligibleApprovers(state).filter((id) => !voted.has(id));
}
