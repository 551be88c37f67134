import {
  ActivityCancellationType,
  type ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  currentUpdateInfo,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { Admission, AdmitRequestInput } from '../activities/admission';
import { ADMISSION_OUTCOME_EVENTS, admissionOutcomeEvents, type AdmissionOutcome } from '../domain/admission-outcome';
import { cancelData, escalationData, notificationData, previewData, reminderData, requestData, voteData } from './audit-data';
import { operationSucceededEvent } from '../domain/operation-result-event';
import { AuditEventKind, SYSTEM_ACTOR, type AuditEventInput } from '../domain/audit-events';
import { ADMISSION_FINAL_FAILURES, FailureType } from '../domain/failure-types';
import { pendingApprovers } from './approvers';
import { Auditor } from './auditor';
import { activityFailureType, describeFailure, isActivityFailure } from './failures';
import { legacyPrivilegedAction } from './legacy/privileged-action';
import { admittedUpdate, cancelUpdate, decideUpdate, statusQuery } from './messages';
import { Notifier } from './notifier';
import type { PatchId } from './patches';
import { refuseUnprovenCancel, refuseUnprovenDecision } from './identity-checks';
import { refuseCancel, refuseDecision } from './refusals';
import { reviewTimers, type ReviewTimer } from './review-timers';
import { ApproversAttribute, DecisionTimeAttribute, RiskAttribute, StatusAttribute } from './search-attributes';
import { ActionStatus, DECISION_STATUSES, TERMINAL_STATUSES } from '../domain/types';
import type {
  ActionPreview,
  ActionRequestInput,
  ActionState,
  DecideInput,
  EscalationRequirement,
  JsonObject,
  PolicyEvaluation,
  ReviewNotice,
  ReviewRequirement,
} from '../domain/types';

/**
 * Admission's and the preview's short, deterministic-in-effect steps run as local activities on the
 * worker that holds the workflow: each is one marker in history, and the whole admission is one
 * workflow task, not six. Release 0.1.0 ran them as activity tasks (./legacy/).
 */
const LOCAL_STEPS: PatchId = 'local-steps';

/**
 * Admission in one local activity, the preview and policy on its facts included (activities/
 * admission.ts): the request is decided in one workflow activation, not three. Checked before
 * LOCAL_STEPS, which it implies: a new run records this patch alone (each patch is a marker and a
 * search-attribute upsert in its history). Runs recorded with LOCAL_STEPS alone (0.2.0's
 * development builds) replay through `admitInSteps`.
 */
const ONE_STEP_ADMISSION: PatchId = 'one-step-admission';

/**
 * Admission's local activity stores its outcome itself (the preview, the decision, and the denial
 * or the policy's approval and the execution's start: domain/admission-outcome.ts) under ids the
 * workflow reserved, instead of the workflow writing them in a local activity of its own: an
 * auto-allowed action goes from its decision to its execution in one activation, and a reviewed
 * one answers `POST /v1/actions` without another write. A cancel that arrives while admission runs
 * waits for it and is then judged on what admission left (evaluating: cancelled; executing or
 * denied: refused), so the trail never shows an approval that a cancel overtook. Checked before
 * ONE_STEP_ADMISSION, which it implies: a new run records this patch alone.
 */
const ADMISSION_RECORDS_OUTCOME: PatchId = 'admission-records-outcome';

/**
 * Unknown actions and bad params do not get better by retrying. A failing preview is retried by
 * running admission again (PREVIEW_ATTEMPTS, each bounded by PREVIEW_TIMEOUT_MS), then admission
 * goes on without it; the timeout leaves room for one preview and the steps before it.
 */
const { admitAction } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '90s',
  retry: { initialInterval: '1s', maximumAttempts: 5, nonRetryableErrorTypes: [...ADMISSION_FINAL_FAILURES] },
  // The SDK's default, stated because the cancel handler relies on it: a cancelled admission
  // reports how it ended (cancelled, or finished first with its outcome stored) before the workflow goes on.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Verify, record, decide on params: admission's first step under LOCAL_STEPS alone. */
const { admitRequest, evaluatePolicy } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [...ADMISSION_FINAL_FAILURES] },
});

/** Read-only: safe to retry; permanent AWS errors come back non-retryable. Under LOCAL_STEPS alone. */
const { previewOperation } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumAttempts: 3 },
});

/**
 * Idempotent operations may be retried on transient AWS errors and after a worker crash (noticed
 * by the missed heartbeat); the activity marks permanent errors non-retryable. Long operations
 * resume from their last heartbeat. The execution stays an activity task: it heartbeats, may run
 * for long, and must move to another worker if this one dies.
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
 * One privileged action: policy, review, one-shot execution. The return value is the final state;
 * business outcomes (denied, rejected, expired, failed) complete the workflow normally.
 *
 * Each transition is one workflow task: admission (verify, record, decide, preview, decide again,
 * answer), each vote (validate, record, and on approval start the execution), the end (record,
 * complete). Every status change is one search-attribute upsert, carrying whatever else changed.
 */
export async function privilegedAction(input: ActionRequestInput): Promise<ActionState> {
  const recordsOutcome = patched(ADMISSION_RECORDS_OUTCOME);
  const oneStepAdmission = recordsOutcome || patched(ONE_STEP_ADMISSION);
  if (!oneStepAdmission && !patched(LOCAL_STEPS)) return legacyPrivilegedAction(input);
  const auditor = new Auditor();
  const state: ActionState = {
    actionId: input.actionId,
    status: ActionStatus.Evaluating,
    request: input,
    votes: [],
    updatedAt: now(),
  };
  let changes = 0;
  let decidedAt: string | undefined;
  /** Admission's local activity while it runs (`one-step-admission`): a cancel cancels it. */
  let admission: CancellationScope | undefined;
  /** A cancel arrived while admission ran (`admission-records-outcome`): it waits for admission to end. */
  let cancelWhileAdmitting = false;
  /** That cancel stopped admission before it stored an outcome. */
  let admissionStopped = false;
  const changed = (): void => {
    changes += 1;
    state.updatedAt = now();
  };
  /** One upsert: the status, the decision time if this status decides, and `also`. */
  const transition = (status: ActionStatus, also: SearchAttributeUpdatePair[] = []): void => {
    state.status = status;
    changed();
    if (TERMINAL_STATUSES.includes(status)) state.closedAt = state.updatedAt;
    const decides = decidedAt === undefined && (DECISION_STATUSES.includes(status) || status === ActionStatus.Executing);
    if (decides) decidedAt = state.updatedAt;
    upsertSearchAttributes([
      { key: StatusAttribute, value: status },
      ...(decides ? [{ key: DecisionTimeAttribute, value: new Date(state.updatedAt) }] : []),
      ...also,
    ]);
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
    async (request) => {
      const updateId = currentUpdateInfo()?.id;
      if (recordsOutcome && admission) {
        // Admission may store its outcome before the cancel reaches it: wait for it to end, then
        // judge the cancel on what it left. Refused here, the refusal is in history (the Update was
        // accepted); that takes a cancel landing in the moment admission stores its outcome.
        cancelWhileAdmitting = true;
        admission.cancel();
        // Ended: stopped by the cancel, or with a decision (or a failure) the workflow has acted on.
        await condition(() => admission === undefined && (admissionStopped || state.status !== ActionStatus.Evaluating));
        refuseCancel(state, Date.now());
      }
      state.cancellation = { ...request, at: now(), ...(updateId ? { updateId } : {}) };
      auditor.record(AuditEventKind.ActionCancelled, request.by, cancelData(request, state.status, updateId));
      transition(ActionStatus.Cancelled);
      admission?.cancel(); // a cancel while admission runs (before `admission-records-outcome`): no preview is read for it
      return auditor.after(state);
    },
    {
      validator: (request) => {
        refuseUnprovenCancel(request, Date.now());
        refuseCancel(state, Date.now(), cancelWhileAdmitting);
      },
    },
  );

  /**
   * The approval, and the execution's start, in one step: both are on record (write-ahead) before
   * the execution is scheduled, in the same workflow task. A cancel is refused from here on.
   */
  function approve(actor: string, data: JsonObject, also: SearchAttributeUpdatePair[]): void {
    auditor.record(AuditEventKind.ActionApproved, actor, data);
    auditor.record(AuditEventKind.ExecutionStarted, SYSTEM_ACTOR, { approvers: approvals(), idempotent: state.operation?.idempotent ?? false });
    transition(ActionStatus.Executing, also);
  }

  function recordVote(decision: DecideInput): ActionState {
    const updateId = currentUpdateInfo()?.id;
    state.votes.push({ ...decision, at: now(), ...(updateId ? { updateId } : {}) });
    const quorum = state.policy?.review?.quorum ?? 1;
    auditor.record(AuditEventKind.VoteRecorded, decision.reviewer, voteData(decision, approvals().length, quorum, updateId));
    const approvers: SearchAttributeUpdatePair[] = [{ key: ApproversAttribute, value: approvals() }];
    if (decision.verdict === 'reject') {
      auditor.record(AuditEventKind.ActionRejected, decision.reviewer, decision.comment !== undefined ? { comment: decision.comment } : {});
      transition(ActionStatus.Rejected, approvers);
    } else if (approvals().length >= quorum) {
      approve(SYSTEM_ACTOR, { by: 'quorum', approvers: approvals() }, approvers);
    } else {
      changed();
      upsertSearchAttributes(approvers);
    }
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
   * and fire at their time, not later, whoever is polling. The deadline's timer is never cancelled:
   * a decision before it writes no TimerCanceled, and the timer ends with the workflow.
   */
  async function awaitReview(review: ReviewRequirement, also: SearchAttributeUpdatePair[]): Promise<void> {
    const openedAt = Date.now();
    const deadlineAt = openedAt + review.timeoutMs;
    state.deadline = new Date(deadlineAt).toISOString();
    transition(ActionStatus.PendingReview, also);
    await notifier.announce(review.channels);
    let expired = false;
    void sleep(Math.max(deadlineAt - Date.now(), 1)).then(() => (expired = true));
    const timers = reviewTimers(review, openedAt, deadlineAt);
    const wake = (): boolean => state.status !== ActionStatus.PendingReview || expired || notifier.needsRefresh();
    while (state.status === ActionStatus.PendingReview) {
      await auditor.flushed(); // what happened meanwhile (deliveries, reminders) is on record while the review waits
      const next = timers[0]; // every timer comes before the deadline
      const remaining = next ? next.at - Date.now() : Infinity;
      const woken = remaining > 0 && (next ? await condition(wake, remaining) : await condition(wake).then(() => true));
      if (state.status !== ActionStatus.PendingReview) break;
      if (expired) {
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
   * The start verified and the request on record, policy on params: a request denied there is never
   * previewed. Otherwise the impact is previewed (reviewers see it; rules may need it) and, if policy
   * asked for it, evaluated again. Undefined if the action was cancelled meanwhile: a step that runs
   * past the workflow task's timeout lets the Updates that waited in (the SDK heartbeats the task).
   */
  async function admit(): Promise<Admitted | undefined> {
    const steps = {
      request: input,
      workflowStartedAt: workflowInfo().startTime.toISOString(),
      evaluation: { action: input.action, params: input.params, requester: input.requester, context: input.context },
    };
    const received = auditor.numbered(AuditEventKind.RequestReceived, input.requester.id, requestData(input));
    if (!oneStepAdmission) return admitInSteps({ ...steps, received });
    if (recordsOutcome) return admitRecordingOutcome({ ...steps, received });
    let admitted: Admission;
    try {
      admission = new CancellationScope();
      admitted = await admission.run(() => admitAction({ ...steps, received }));
    } catch (err) {
      if (isCancellation(err) && isClosed(state)) return undefined;
      throw err;
    } finally {
      admission = undefined;
    }
    const { preview, ...evaluation } = admitted;
    if (!preview) return evaluation; // denied on params: never previewed
    if (isClosed(state)) return undefined;
    recordPreview(preview);
    return evaluation;
  }

  /**
   * Admission that stores its own outcome (`admission-records-outcome`): its events are numbered
   * here, in their place in the trail, and the ids it did not use are given back. Undefined if a
   * cancel stopped it: the cancel's handler, which waited for it, then records the cancel and
   * closes the action.
   */
  async function admitRecordingOutcome(steps: AdmitRequestInput): Promise<Admitted | undefined> {
    const actionId = workflowInfo().workflowId;
    const eventIds = auditor.reserveIds(ADMISSION_OUTCOME_EVENTS);
    let ended: { admitted: Admission } | { failure: unknown };
    admission = new CancellationScope();
    try {
      ended = { admitted: await admission.run(() => admitAction({ ...steps, outcome: { eventIds, actionId } })) };
    } catch (failure) {
      ended = { failure };
    }
    admission = undefined; // before any wait below: a cancel's handler waits for it
    if ('failure' in ended) {
      auditor.release(eventIds);
      admissionStopped = isCancellation(ended.failure) && cancelWhileAdmitting;
      if (!admissionStopped) throw ended.failure;
      await condition(() => isClosed(state));
      return undefined;
    }
    const { preview, outcomeRecorded, ...evaluation } = ended.admitted;
    const events = numberOutcome(eventIds, ended.admitted);
    // Its store failed: the workflow writes the same events under the same ids, before anything depends on them.
    if (!outcomeRecorded) events.forEach((event) => auditor.recordReserved(event));
    if (preview) recordPreview(preview, { stored: true });
    return { ...evaluation, outcomeOnRecord: true };
  }

  /** Admission's outcome events (domain/admission-outcome.ts) under `eventIds`; the ids they leave unused are given back. */
  function numberOutcome(eventIds: string[], outcome: AdmissionOutcome): AuditEventInput[] {
    const events = admissionOutcomeEvents(eventIds, workflowInfo().workflowId, outcome, now());
    auditor.release(eventIds.slice(events.length));
    return events;
  }

  /** Admission under LOCAL_STEPS alone: the preview and the second evaluation as local activities of their own. */
  async function admitInSteps(steps: AdmitRequestInput): Promise<PolicyEvaluation | undefined> {
    const early = await admitRequest(steps);
    if (early.decision?.effect === 'deny') return { decision: early.decision, operation: early.operation };
    if (isClosed(state)) return undefined;
    let preview: ActionPreview;
    try {
      preview = await previewOperation({ actionId: input.actionId, ...steps.evaluation });
    } catch (err) {
      if (!isActivityFailure(err)) throw err;
      preview = { error: describeFailure(err) }; // reviewers see why; preview rules then match nothing
    }
    recordPreview(preview);
    if (early.decision) return { decision: early.decision, operation: early.operation };
    const facts = 'facts' in preview ? preview.facts : {};
    return evaluatePolicy({ ...steps.evaluation, preview: facts });
  }

  /** The preview in the action's state and, unless admission stored it (`stored`), queued for the trail. */
  function recordPreview(preview: ActionPreview, { stored = false } = {}): void {
    state.preview = preview;
    if (!stored) auditor.record('error' in preview ? AuditEventKind.PreviewFailed : AuditEventKind.PreviewCompleted, SYSTEM_ACTOR, previewData(preview));
    changed();
  }

  try {
    const evaluation = await admit();
    if (!evaluation || isClosed(state)) return await finish(); // cancelled while policy was being evaluated
    state.policy = evaluation.decision;
    state.operation = evaluation.operation;
    // Admission stored the decision and what follows from it at once; before `admission-records-outcome`
    // the workflow queues the same events (its preview's is queued already).
    if (!evaluation.outcomeOnRecord) {
      const outcome = { decision: evaluation.decision, operation: evaluation.operation };
      numberOutcome(auditor.reserveIds(ADMISSION_OUTCOME_EVENTS), outcome).forEach((event) => auditor.recordReserved(event));
    }
    const risk: SearchAttributeUpdatePair[] = [{ key: RiskAttribute, value: evaluation.decision.risk }];

    const { effect, review } = evaluation.decision;
    if (effect === 'deny') {
      transition(ActionStatus.Denied, risk);
      return await finish();
    }
    if (effect === 'review' && review) {
      await awaitReview(review, risk);
      if (state.status !== ActionStatus.Executing) return await finish();
    } else {
      transition(ActionStatus.Executing, risk); // approved by policy: on record as above, write-ahead
    }

    await auditor.flushed(); // write-ahead: the approval and the start are on record before any credential exists
    const showingExecution = notifier.refresh(); // reviewers see "approved, executing" while it runs
    const executor = evaluation.operation.idempotent ? retryingExecutor : singleShotExecutor;
    const resultEventId = auditor.reserveId(); // the activity stores operation.succeeded itself: no audit write in the last task
    try {
      const { recorded, ...result } = await executor.executeOperation({
        actionId: input.actionId,
        action: input.action,
        params: input.params,
        requester: input.requester,
        approvers: approvals(),
        // What was reviewed is what runs: the preview's reading binds the execution.
        ...(state.preview && 'preconditions' in state.preview && state.preview.preconditions ? { preconditions: state.preview.preconditions } : {}),
        resultEventId,
      });
      state.result = result;
      // Not stored by the activity (its store failed after the operation ran): the workflow's own write retries until it is.
      if (!recorded) auditor.recordReserved(operationSucceededEvent(resultEventId, input.actionId, result));
      transition(ActionStatus.Succeeded);
    } finally {
      await showingExecution;
    }
    return await finish();
  } catch (err) {
    // Only activity failures are business outcomes; anything else is a bug and must fail the
    // workflow task (Temporal retries it after a fix) rather than be recorded as a result. A start
    // that is not Airlock's fails the workflow at once, with nothing recorded.
    if (!isActivityFailure(err)) throw err;
    if (activityFailureType(err) === FailureType.IdentityUnverified) throw refusedStart(err);
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
function refusedStart(err: ActivityFailure | ApplicationFailure): ApplicationFailure {
  const { message } = describeFailure(err);
  return ApplicationFailure.create({ type: FailureType.IdentityUnverified, message, nonRetryable: true });
}

/** Admission's answer to the workflow: with `outcomeOnRecord`, its events are stored or queued already. */
type Admitted = PolicyEvaluation & { outcomeOnRecord?: boolean };

function isClosed(state: ActionState): boolean {
  return TERMINAL_STATUSES.includes(state.status);
}

/** Workflow time is deterministic: Date.now() returns the time of the current workflow task. */
function now(): string {
  return new Date(Date.now()).toISOString();
}
