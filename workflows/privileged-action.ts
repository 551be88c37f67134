import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { admittedUpdate, cancelUpdate, decideUpdate, statusQuery } from './messages';
import { refuseCancel, refuseDecision } from './refusals';
import { ApproversAttribute, RiskAttribute, StatusAttribute } from './search-attributes';
import { ActionStatus, TERMINAL_STATUSES } from './types';
import type { ActionRequestInput, ActionState, DecideInput } from './types';

const { evaluatePolicy } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['UnknownAction', 'InvalidParams'] },
});

/** Idempotent operations may be retried on transient AWS errors; the activity marks permanent ones non-retryable. */
const retryingExecutor = proxyActivities<Activities>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '2s', maximumAttempts: 3 },
});

/** Non-idempotent operations run at most once: a blind retry could apply the change twice. */
const singleShotExecutor = proxyActivities<Activities>({
  startToCloseTimeout: '5m',
  retry: { maximumAttempts: 1 },
});

/**
 * One privileged action: policy, review, one-shot execution. The return value is the final state;
 * business outcomes (denied, rejected, expired, failed) complete the workflow normally.
 */
export async function privilegedAction(input: ActionRequestInput): Promise<ActionState> {
  const state: ActionState = {
    actionId: input.actionId,
    status: ActionStatus.Evaluating,
    request: input,
    votes: [],
    updatedAt: now(),
  };

  setHandler(statusQuery, () => state);
  setHandler(admittedUpdate, async () => {
    await condition(() => state.status !== ActionStatus.Evaluating);
    return state;
  });
  setHandler(decideUpdate, (decision) => recordVote(state, decision), {
    validator: (decision) => refuseDecision(state, decision),
  });
  setHandler(
    cancelUpdate,
    (request) => {
      state.cancellation = { ...request, at: now() };
      transition(state, ActionStatus.Cancelled);
      return state;
    },
    { validator: (_request) => refuseCancel(state) },
  );

  try {
    const evaluation = await evaluatePolicy({
      action: input.action,
      params: input.params,
      requester: input.requester,
      context: input.context,
    });
    if (isClosed(state)) return state; // cancelled while policy was being evaluated
    state.policy = evaluation.decision;
    state.operation = evaluation.operation;
    upsertSearchAttributes([{ key: RiskAttribute, value: evaluation.decision.risk }]);

    const { effect, review } = evaluation.decision;
    if (effect === 'deny') {
      transition(state, ActionStatus.Denied);
      return state;
    }
    if (effect === 'review' && review) {
      state.deadline = new Date(Date.now() + review.timeoutMs).toISOString();
      transition(state, ActionStatus.PendingReview);
      const settled = await condition(() => state.status !== ActionStatus.PendingReview, review.timeoutMs);
      if (!settled) transition(state, ActionStatus.Expired);
      if (state.status !== ActionStatus.Approved) return state;
    } else {
      transition(state, ActionStatus.Approved);
    }

    transition(state, ActionStatus.Executing);
    const executor = evaluation.operation.idempotent ? retryingExecutor : singleShotExecutor;
    state.result = await executor.executeOperation({
      actionId: input.actionId,
      action: input.action,
      params: input.params,
      requester: input.requester,
      approvers: approvals(state),
    });
    transition(state, ActionStatus.Succeeded);
    return state;
  } catch (err) {
    // Only activity failures are business outcomes; anything else is a bug and must fail the
    // workflow task (Temporal retries it after a fix) rather than be recorded as a result.
    if (!(err instanceof ActivityFailure)) throw err;
    state.error = describeFailure(err);
    transition(state, ActionStatus.Failed);
    return state;
  }
}

function recordVote(state: ActionState, decision: DecideInput): ActionState {
  state.votes.push({ ...decision, at: now() });
  const quorum = state.policy?.review?.quorum ?? 1;
  if (decision.verdict === 'reject') {
    transition(state, ActionStatus.Rejected);
  } else if (approvals(state).length >= quorum) {
    transition(state, ActionStatus.Approved);
  } else {
    state.updatedAt = now();
  }
  upsertSearchAttributes([{ key: ApproversAttribute, value: approvals(state) }]);
  return state;
}

function approvals(state: ActionState): string[] {
  return state.votes.filter((vote) => vote.verdict === 'approve').map((vote) => vote.reviewer);
}

function transition(state: ActionState, status: ActionStatus): void {
  state.status = status;
  state.updatedAt = now();
  if (TERMINAL_STATUSES.includes(status)) state.closedAt = state.updatedAt;
  upsertSearchAttributes([{ key: StatusAttribute, value: status }]);
}

function isClosed(state: ActionState): boolean {
  return TERMINAL_STATUSES.includes(state.status);
}

/** Workflow time is deterministic: Date.now() returns the time of the current workflow task. */
function now(): string {
  return new Date(Date.now()).toISOString();
}

/** The failure's type and message only: activity failures never carry credentials (see activities/aws-errors). */
function describeFailure(err: ActivityFailure): { type: string; message: string } {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  if (cause) return { type: cause.name, message: cause.message };
  return { type: 'ActivityFailure', message: err.message };
}
