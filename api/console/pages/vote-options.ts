import { ActionStatus, type ActionState, type Vote } from '../../../domain/types';
import { mayVote } from '../../../workflows/approvers';
import { statusLabel } from '../views/format';
import { isReviewer, voteAuthentication } from './access';
import type { ConsoleSession } from '../session';

/** What the action page offers the person reading it: the vote forms, a fresh sign-in first, or why neither. */
export type VoteOptions = { kind: 'vote' } | { kind: 'step_up'; maxAgeSeconds: number; signInUrl: string } | { kind: 'none'; reason: string };

/**
 * Whether this person may vote on the action now, checked as the workflow will check it (and in its
 * order: closed, deadline, requester, approver, already voted, step-up), so the page offers a vote
 * only where it would count. The workflow stays the guard; this only decides what to show.
 */
export function voteOptions(state: ActionState, session: ConsoleSession, now: number): VoteOptions {
  if (state.status !== ActionStatus.PendingReview) {
    return { kind: 'none', reason: `Votes are closed (status: ${statusLabel(state.status)}).` };
  }
  if (state.deadline !== undefined && now >= Date.parse(state.deadline)) {
    return { kind: 'none', reason: 'The review deadline has passed: votes are closed.' };
  }
  if (!isReviewer(session)) return { kind: 'none', reason: 'You do not have the reviewer role in the console.' };
  if (state.request.requester.id === session.identity) {
    return { kind: 'none', reason: 'You requested this action: someone else must review it.' };
  }
  const review = state.policy?.review;
  if (!review || !mayVote(state, { reviewer: session.identity, authentication: voteAuthentication(session) })) {
    const groups = review?.approverGroups.join(', ');
    return { kind: 'none', reason: `You are not an approver of rule ${state.policy?.ruleId ?? 'unknown'}${groups ? ` (approvers: ${groups})` : ''}.` };
  }
  const mine = myVote(state, session.identity);
  if (mine) return { kind: 'none', reason: `You already ${mine.verdict === 'approve' ? 'approved' : 'rejected'} this action.` };
  const maxAgeMs = review.stepUpMaxAgeMs;
  if (maxAgeMs !== undefined && (session.authTime === undefined || now - session.authTime * 1000 > maxAgeMs)) {
    const maxAgeSeconds = Math.ceil(maxAgeMs / 1000);
    const returnTo = `/console/actions/${encodeURIComponent(state.actionId)}`;
    return { kind: 'step_up', maxAgeSeconds, signInUrl: `/console/login?returnTo=${encodeURIComponent(returnTo)}&maxAge=${maxAgeSeconds}` };
  }
  return { kind: 'vote' };
}

/** This person's vote on the action, if any. */
export function myVote(state: ActionState, identity: string): Vote | undefined {
  return state.votes.find((vote) => vote.reviewer === identity);
}
