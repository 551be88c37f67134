import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  currentUpdateInfo,
  deprecatePatch,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { cancelData, decisionData, escalationData, notificationData, previewData, reminderData, requestData, resultData, voteData } from '../audit-data';
import { AuditEventKind, POLICY_ACTOR, SYSTEM_ACTOR } from '../../domain/audit-events';
import { FailureType } from '../../domain/failure-types';
import { pendingApprovers } from '../approvers';
import { Auditor } from './auditor';
import { describeFailure } from '../failures';
import { admittedUpdate, cancelUpdate, decideUpdate, statusQuery } from '../messages';
import { Notifier } from '../notifier';
import type { PatchId } from '../patches';
import { refuseUnprovenCancel, refuseUnprovenDecision } from '../identity-checks';
import { refuseCancel, refuseDecision } from '../refusals';
import { reviewTimers, type ReviewTimer } from '../review-timers';
import { ApproversAttribute, DecisionTimeAttribute, RiskAttribute, StatusAttribute } from '../search-attributes';
import { ActionStatus, DECISION_STATUSES, TERMINAL_STATUSES } from '../../domain/types';
import type {
  ActionRequestInput,
  ActionState,
  DecideInput,
  EscalationRequirement,
  PolicyEvaluation,
  ReviewNotice,
  ReviewRequirement,
} from '../../domain/types';

const { evaluatePolicy, evaluatePolicyBeforePreview } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.UnknownAction, FailureType.InvalidParams] },
});

/** A local activity: one marker in history, no task round trip before anything else can happen. */
const { verifyActionRequest } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.IdentityUnverified] },
});

/** Read-only: safe to retry; permanent AWS errors come back non-retryable. */
const { previewOperation } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumAttempts: 3 },
});

/*
 * Patches of release 0.1.0, deprecated in 0.2.0 (workflows/patches.ts): every open workflow was
 * started by 0.1.0 and took the new path, so the old one is gone; the calls stay for one release,
 * where they always were, so histories with their markers replay. 0.3.0 removes them.
 */
/** Impact previews: policy on params, the preview, then policy on its facts. */
const IMPACT_PREVIEW: PatchId = 'impact-preview';
/** The audit trail. */
const AUDIT_TRAIL: PatchId = 'audit-trail';
/** Reminders and escalation timers. */
const REVIEW_TIMERS: PatchId = 'review-timers';
/** The start's identity proof, verified first. */
const SIGNED_IDENTITIES: PatchId = 'signed-identities';

/**
 * Idempotent operations may be retried on transient AWS errors and after a worker crash (noticed
 * by the missed heartbeat); the activity marks permanent errors non-retryable. Long operations
 * resume from their last heartbeat.
 */
const retryingExecutor = proxyActivities<Activities>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '2s', maximumAttempts: 5 },
});

/** Non-idempotent operations run at most once: a blind retry could apply the change twice. */
const singleShotExecutor = proxyActivities<Activities>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '10s',
  retry: { maximumAttempts: 1 },
});

/**
 * Release 0.1.0's privileged action, kept unchanged so that the workflows it started replay and
 * finish on this release: every step an activity task, the audit trail written batch by batch. Only
 * histories without the `local-steps` marker come here (../privileged-action.ts). 0.3.0 deletes
 * this folder, together with the patches it still marks (workflows/patches.ts).
 */
export async function legacyPrivilegedAction(input: ActionRequestInput): Promise<ActionState> {
  deprecatePatch(AUDIT_TRAIL);
  const auditor = new Auditor();
  deprecatePatch(SIGNED_IDENTITIES);
  const state: ActionState = {
    actionId: input.actionId,
    status: ActionStatus.Evaluating,
    request: input,
    votes: [],
    updatedAt: now(),
  };
  let changes = 0;
  let decidedAt: string | undefined;
  const changed = (): void => {
    changes += 1;
    state.updatedAt = now();
  };
  const transition = (status: ActionStatus): void => {
    state.status = status;
    changed();
    if (TERMINAL_STATUSES.includes(status)) state.closedAt = state.updatedAt;
    // The first decision's time rides on the status upsert, so no command is added (replay-safe).
    const decides = decidedAt === undefined && DECISION_STATUSES.includes(status);
    if (decides) decidedAt = state.updatedAt;
    upsertSearchAttributes([{ key: StatusAttribute, value: status }, ...(decides ? [{ key: DecisionTimeAttribute, value: new Date(state.updatedAt) }] : [])]);
  };
  const notifier = new Notifier(
    state,
    () => changes,
    (record) =>
      auditor.record(record.status === 'sent' ? AuditEventKind.NotificationSent : AuditEventKind.NotificationFailed, SYSTEM_ACTOR, notificationData(record)),
  );

  setHandler(statusQuery, () => state);
  // Admission is answered once the request and the policy decision are on record.
  setHandler(admittedUpdate, async () => {
    await condition(() => state.status !== ActionStatus.Evaluating);
    return auditor.after(state);
  });
  // A vote or cancel is answered once it is on record in the audit trail.
  setHandler(decideUpdate, (decision) => auditor.after(recordVote(decision)), {
    validator: (decision) => {
      refuseUnprovenDecision(decision, Date.now()); // first: the rules trust `reviewer` only once it is proven
      refuseDecision(state, decision, Date.now());
    },
  });
  setHandler(
    cancelUpdate,
    (request) => {
      const updateId = currentUpdateInfo()?.id;
      state.cancellation = { ...request, at: now(), ...(updateId ? { updateId } : {}) };
      auditor.record(AuditEventKind.ActionCancelled, request.by, cancelData(request, state.status, updateId));
      transition(ActionStatus.Cancelled);
      return auditor.after(state);
    },
    {
      validator: (request) => {
        refuseUnprovenCancel(request, Date.now());
        refuseCancel(state, Date.now());
      },
    },
  );

  await verifyStart(input);
  auditor.record(AuditEventKind.RequestReceived, input.requester.id, requestData(input));

  function recordVote(decision: DecideInput): ActionState {
    const updateId = currentUpdateInfo()?.id;
    state.votes.push({ ...decision, at: now(), ...(updateId ? { updateId } : {}) });
    const quorum = state.policy?.review?.quorum ?? 1;
    auditor.record(AuditEventKind.VoteRecorded, decision.reviewer, voteData(decision, approvals().length, quorum, updateId));
    if (decision.verdict === 'reject') {
      auditor.record(AuditEventKind.ActionRejected, decision.reviewer, decision.comment !== undefined ? { comment: decision.comment } : {});
      transition(ActionStatus.Rejected);
    } else if (approvals().length >= quorum) {
      auditor.record(AuditEventKind.ActionApproved, SYSTEM_ACTOR, { by: 'quorum', approvers: approvals() });
      transition(ActionStatus.Approved);
    } else {
      changed();
    }
    upsertSearchAttributes([{ key: ApproversAttribute, value: approvals() }]);
    return state;
  }

  function approvals(): string[] {
    return state.votes.filter((vote) => vote.verdict === 'approve').map((vote) => vote.reviewer);
  }

  /** Every path ends here: channels show the final state, the requester hears the outcome, the story is stored. */
  async function finish(): Promise<ActionState> {
    await notifier.refresh();
    await notifier.deliverOutcome();
    await auditor.flushed();
    return state;
  }

  /**
   * Waits for quorum, one rejection, a cancel or the deadline, refreshing messages after each vote.
   * Reminders and the escalation are durable timers on the same wait: they survive worker restarts
   * and fire at their time, not later, whoever is polling.
   */
  async function awaitReview(review: ReviewRequirement): Promise<void> {
    const openedAt = Date.now();
    const deadlineAt = openedAt + review.timeoutMs;
    state.deadline = new Date(deadlineAt).toISOString();
    transition(ActionStatus.PendingReview);
    await notifier.announce(review.channels);
    deprecatePatch(REVIEW_TIMERS);
    const timers = reviewTimers(review, openedAt, deadlineAt);
    while (state.status === ActionStatus.PendingReview) {
      const next = timers[0]; // every timer comes before the deadline
      const remaining = (next?.at ?? deadlineAt) - Date.now();
      const woken = remaining > 0 && (await condition(() => state.status !== ActionStatus.PendingReview || notifier.needsRefresh(), remaining));
      if (state.status !== ActionStatus.PendingReview) break;
      if (!woken && !next) {
        auditor.record(AuditEventKind.ActionExpired, SYSTEM_ACTOR, { deadline: state.deadline, approvers: approvals() });
        transition(ActionStatus.Expired);
        break;
      }
      // `next` is due; so is any later timer whose time came while an earlier one ran.
      const due = (timer: ReviewTimer | undefined): timer is ReviewTimer =>
        !woken && timer !== undefined && (timer === next || timer.at <= Date.now()) && state.status === ActionStatus.PendingReview;
      for (let timer = timers[0]; due(timer); timer = timers[0]) {
        timers.shift();
        if (timer.kind === 'escalation' && review.escalation) await escalate(review, review.escalation);
        else await remind(review);
      }
      await notifier.refresh();
    }
  }

  async function remind(review: ReviewRequirement): Promise<void> {
    const reminder = { at: now(), pending: pendingApprovers(state) };
    (state.reminders ??= []).push(reminder);
    state.updatedAt = reminder.at; // nothing a review message shows has changed: no refresh
    auditor.record(AuditEventKind.ReviewReminded, SYSTEM_ACTOR, reminderData(reminder, state.deadline));
    await notifier.remind(notice('reminder', review, reminder.pending));
  }

  async function escalate(review: ReviewRequirement, escalation: EscalationRequirement): Promise<void> {
    const added = escalation.eligibleApprovers.filter((id) => !review.eligibleApprovers.includes(id));
    state.escalation = { at: now(), approverGroups: [...escalation.approverGroups], addedApprovers: added };
    changed(); // messages show the escalation and the wider list of approvers
    auditor.record(AuditEventKind.ReviewEscalated, SYSTEM_ACTOR, escalationData(state.escalation, escalation.channels));
    const voted = new Set(state.votes.map((vote) => vote.reviewer));
    const mention = escalation.eligibleApprovers.filter((id) => !voted.has(id));
    await notifier.escalate(escalation.channels, { ...notice('escalation', review, mention), approverGroups: [...escalation.approverGroups] });
  }

  function notice(kind: ReviewNotice['kind'], review: ReviewRequirement, mention: string[]): ReviewNotice {
    return {
      kind,
      actionId: input.actionId,
      mention,
      approvals: approvals().length,
      quorum: review.quorum,
      ...(state.deadline ? { deadline: state.deadline } : {}),
    };
  }

  /**
   * Policy on params first: a request denied there is never previewed. Otherwise the impact is
   * previewed (reviewers see it; rules may need it) and, if policy asked for it, evaluated again.
   */
  async function evaluateWithPreview(): Promise<PolicyEvaluation | undefined> {
    const request = { action: input.action, params: input.params, requester: input.requester, context: input.context };
    const early = await evaluatePolicyBeforePreview(request);
    if (early.decision?.effect === 'deny') return { decision: early.decision, operation: early.operation };
    if (isClosed(state)) return undefined;
    await auditor.flushed(); // the request is on record before the preview's credential is
    try {
      state.preview = await previewOperation({ actionId: input.actionId, ...request });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      state.preview = { error: describeFailure(err) }; // reviewers see why; preview rules then match nothing
    }
    const previewKind = 'error' in state.preview ? AuditEventKind.PreviewFailed : AuditEventKind.PreviewCompleted;
    auditor.record(previewKind, SYSTEM_ACTOR, previewData(state.preview));
    changed();
    if (early.decision) return { decision: early.decision, operation: early.operation };
    const facts = 'facts' in state.preview ? state.preview.facts : {};
    return evaluatePolicy({ ...request, preview: facts });
  }

  try {
    deprecatePatch(IMPACT_PREVIEW);
    const evaluation = await evaluateWithPreview();
    if (!evaluation || isClosed(state)) return await finish(); // cancelled while policy was being evaluated
    state.policy = evaluation.decision;
    state.operation = evaluation.operation;
    upsertSearchAttributes([{ key: RiskAttribute, value: evaluation.decision.risk }]);
    auditor.record(AuditEventKind.PolicyDecided, POLICY_ACTOR, decisionData(evaluation.decision));

    const { effect, review, ruleId, reason } = evaluation.decision;
    if (effect === 'deny') {
      auditor.record(AuditEventKind.ActionDenied, POLICY_ACTOR, { ruleId, reason });
      transition(ActionStatus.Denied);
      return await finish();
    }
    if (effect === 'review' && review) {
      await awaitReview(review);
      if (state.status !== ActionStatus.Approved) return await finish();
    } else {
      auditor.record(AuditEventKind.ActionApproved, POLICY_ACTOR, { by: 'policy', ruleId });
      transition(ActionStatus.Approved);
    }

    // Write-ahead: the approval and the start are on record before any credential exists.
    auditor.record(AuditEventKind.ExecutionStarted, SYSTEM_ACTOR, { approvers: approvals(), idempotent: evaluation.operation.idempotent });
    await auditor.flushed();
    transition(ActionStatus.Executing);
    const showingExecution = notifier.refresh(); // reviewers see "approved, executing" while it runs
    const executor = evaluation.operation.idempotent ? retryingExecutor : singleShotExecutor;
    try {
      state.result = await executor.executeOperation({
        actionId: input.actionId,
        action: input.action,
        params: input.params,
        requester: input.requester,
        approvers: approvals(),
        // What was reviewed is what runs: the preview's reading binds the execution.
        ...(state.preview && 'preconditions' in state.preview && state.preview.preconditions ? { preconditions: state.preview.preconditions } : {}),
      });
      auditor.record(AuditEventKind.OperationSucceeded, SYSTEM_ACTOR, resultData(state.result));
      transition(ActionStatus.Succeeded);
    } finally {
      await showingExecution;
    }
    return await finish();
  } catch (err) {
    // Only activity failures are business outcomes; anything else is a bug and must fail the
    // workflow task (Temporal retries it after a fix) rather than be recorded as a result.
    if (!(err instanceof ActivityFailure)) throw err;
    state.error = describeFailure(err);
    const failedKind = state.status === ActionStatus.Executing ? AuditEventKind.OperationFailed : AuditEventKind.ActionFailed;
    auditor.record(failedKind, SYSTEM_ACTOR, { error: { ...state.error } });
    transition(ActionStatus.Failed);
    return await finish();
  }
}

/**
 * Runs nothing for a start Airlock's API did not sign (or signed for another run): the workflow
 * fails at once, before any policy, preview, notification or callback, and records no request.
 */
async function verifyStart(input: ActionRequestInput): Promise<void> {
  try {
    await verifyActionRequest({ request: input, workflowStartedAt: workflowInfo().startTime.toISOString() });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const { message } = describeFailure(err);
    throw ApplicationFailure.create({ type: FailureType.IdentityUnverified, message, nonRetryable: true });
  }
}

function isClosed(state: ActionState): boolean {
  return TERMINAL_STATUSES.includes(state.status);
}

/** Workflow time is deterministic: Date.now() returns the time of the current workflow task. */
function now(): string {
  return new Date(Date.now()).toISOString();
}
