import { ApplicationFailure } from '@temporalio/workflow';
import { mayVote } from './approvers';
import { ActionStatus, RefusalCode, TERMINAL_STATUSES } from '../domain/types';
import type { ActionState, DecideInput } from '../domain/types';

/**
 * Update validators: synchronous checks that throw to refuse. A refusal writes nothing to history;
 * the caller receives the failure with `type` set to a RefusalCode. The identity proof is checked
 * before these (identity-checks.ts): the rules below trust `reviewer` and `by` only once it holds.
 */
export function refuseDecision(state: ActionState, decision: DecideInput, now: number): void {
  if (TERMINAL_STATUSES.includes(state.status) || state.status === ActionStatus.Approved || state.status === ActionStatus.Executing) {
    throw refusal(RefusalCode.ActionClosed, `the request is ${state.status}; votes are closed`);
  }
  if (state.status !== ActionStatus.PendingReview) {
    throw refusal(RefusalCode.NotPendingReview, `the request is ${state.status}, not pending review`);
  }
  if (pastDeadline(state, now)) {
    throw refusal(RefusalCode.ActionClosed, `the review deadline (${state.deadline}) has passed; votes are closed`);
  }
  if (decision.reviewer === state.request.requester.id) {
    throw refusal(RefusalCode.SelfApproval, 'the requester cannot decide on their own request');
  }
  if (!mayVote(state, decision)) {
    throw refusal(RefusalCode.NotAnApprover, `${decision.reviewer} is not an approver for this request`);
  }
  if (state.votes.some((vote) => vote.reviewer === decision.reviewer)) {
    throw refusal(RefusalCode.AlreadyVoted, `${decision.reviewer} has already voted on this request`);
  }
  if (decision.verdict === 'reject' && !decision.comment?.trim()) {
    throw refusal(RefusalCode.CommentRequired, 'a rejection needs a reason');
  }
  refuseStaleSignIn(state, decision, now);
}

/**
 * A step-up rule counts a vote, approval or rejection alike, only from a sign-in at most `stepUpMaxAgeMs`
 * old when it is cast (workflow time): the signed `auth_time` of a console sign-in. API keys, Slack and
 * Teams carry none, so they cannot satisfy it; their voters are sent to the console.
 */
function refuseStaleSignIn(state: ActionState, decision: DecideInput, now: number): void {
  const maxAgeMs = state.policy?.review?.stepUpMaxAgeMs;
  if (maxAgeMs === undefined) return;
  const authTime = decision.authentication?.authTime;
  const minutes = `${Math.round(maxAgeMs / 60_000)} minute${Math.round(maxAgeMs / 60_000) === 1 ? '' : 's'}`;
  if (typeof authTime !== 'number' || !Number.isFinite(authTime)) {
    throw refusal(RefusalCode.StepUpRequired, `this rule asks for a sign-in at most ${minutes} old: vote in the console after signing in again`);
  }
  if (now - authTime * 1000 > maxAgeMs) {
    throw refusal(RefusalCode.StepUpRequired, `this rule asks for a sign-in at most ${minutes} old; yours is older: sign in again to vote`);
  }
}

/**
 * `cancelWaiting`: another cancel already waits for admission to end (`admission-records-outcome`).
 * This one would be refused once it ends, whatever admission did (the action is cancelled by the
 * first, or executing or denied for both): it is refused now, before it reaches history.
 */
export function refuseCancel(state: ActionState, now: number, cancelWaiting = false): void {
  if (cancelWaiting) throw refusal(RefusalCode.NotCancellable, 'another cancel is already waiting for admission to end');
  if (state.status !== ActionStatus.Evaluating && state.status !== ActionStatus.PendingReview) {
    throw refusal(RefusalCode.NotCancellable, `the request is ${state.status} and can no longer be cancelled`);
  }
  if (pastDeadline(state, now)) {
    throw refusal(RefusalCode.NotCancellable, `the review deadline (${state.deadline}) has passed; the request is expiring`);
  }
}

/**
 * The deadline shown is workflow time when review opened; the expiry timer starts a moment later,
 * when that workflow task completes. Refusing from the shown time on makes it the real cut-off.
 */
function pastDeadline(state: ActionState, now: number): boolean {
  return state.status === ActionStatus.PendingReview && state.deadline !== undefined && now >= Date.parse(state.deadline);
}

function refusal(code: RefusalCode, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true });
}
