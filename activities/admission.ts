import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { admissionOutcomeEvents, outcomeFromEvents } from '../domain/admission-outcome';
import type { AuditEventInput, RecordAuditEventsInput } from '../domain/audit-events';
import { describeFailure } from '../domain/failure-description';
import { ADMISSION_FINAL_FAILURES, FailureType } from '../domain/failure-types';
import type { ActionPreview, OperationPreview, PolicyEvaluation, PolicyEvaluationBeforePreview } from '../domain/types';
import { currentActivity } from './activity-context';
import { logWarn } from './activity-log';
import type { StoredAuditEvent, StoredAuditEventsInput } from './audit';
import type { VerifyActionRequestInput } from './identity';
import type { EvaluatePolicyInput } from './policy';
import type { PreviewOperationInput } from './preview';

export interface AdmitRequestInput extends VerifyActionRequestInput {
  /** The request.received event, numbered by the workflow: stored once the start is verified. */
  received: AuditEventInput;
  /** What policy decides on before any preview. */
  evaluation: EvaluatePolicyInput;
  /**
   * Where admission stores its outcome itself (`admission-records-outcome`): the ids the workflow
   * reserved for it, in order, and the action they belong to. Absent: the workflow records it.
   */
  outcome?: { eventIds: string[]; actionId: string };
}

/** Admission's answer: policy's decision and, unless it denied on params alone, the preview reviewers see. */
export interface Admission extends PolicyEvaluation {
  preview?: ActionPreview;
  /** With `outcome` in the input: whether its events are stored. False: the store failed, and the workflow writes them. */
  outcomeRecorded?: boolean;
}

/** The activities admission is made of, as the worker registers them. */
export interface AdmissionParts {
  verifyActionRequest(input: VerifyActionRequestInput): Promise<void>;
  recordAuditEvents(input: RecordAuditEventsInput): Promise<unknown>;
  storedAuditEvents(input: StoredAuditEventsInput): Promise<StoredAuditEvent[]>;
  evaluatePolicyBeforePreview(input: EvaluatePolicyInput): Promise<PolicyEvaluationBeforePreview>;
  evaluatePolicy(input: EvaluatePolicyInput): Promise<PolicyEvaluation>;
  previewOperation(input: PreviewOperationInput): Promise<OperationPreview>;
}

/** What a failing preview gets before admission goes on without it: the separate preview step's retry policy and timeout. */
export const PREVIEW_ATTEMPTS = 3;
export const PREVIEW_TIMEOUT_MS = 60_000;

/**
 * Admission as local activities. `admitRequest` (one marker in history instead of three): the start
 * is verified, then the request is on record, then policy decides on params, in that order and each
 * only if the one before it held. `admitAction` goes on in the same local activity with the
 * preview and, when policy asked for its facts, policy again: a request reaches its decision in one
 * workflow activation instead of three (`one-step-admission`). Every part is idempotent or
 * read-only, so a retry repeats it safely.
 */
export function createAdmissionActivities(parts: AdmissionParts) {
  async function admitRequest(input: AdmitRequestInput): Promise<PolicyEvaluationBeforePreview> {
    await parts.verifyActionRequest({ request: input.request, workflowStartedAt: input.workflowStartedAt });
    await parts.recordAuditEvents({ events: [input.received] });
    return parts.evaluatePolicyBeforePreview(input.evaluation);
  }

  /** The rest of admission once the request is verified, on record and decided on params (`early`). */
  async function decide(input: AdmitRequestInput, early: PolicyEvaluationBeforePreview): Promise<Admission> {
    if (early.decision?.effect === 'deny') return { decision: early.decision, operation: early.operation };
    // Cancelled while policy decided: an action no one wants any more is not previewed.
    if (currentActivity()?.cancellationSignal.aborted) throw new CancelledFailure('admission cancelled before the preview');
    const preview = await previewOrFailure(parts, { actionId: input.request.actionId, ...input.evaluation });
    if (early.decision) return { decision: early.decision, operation: early.operation, preview };
    const facts = 'facts' in preview ? preview.facts : {};
    return { ...(await parts.evaluatePolicy({ ...input.evaluation, preview: facts })), preview };
  }

  return {
    admitRequest,

    async admitAction(input: AdmitRequestInput): Promise<Admission> {
      const early = await admitRequest(input);
      // Before the preview: a run whose outcome is on record already takes no credential and reads nothing again.
      const earlier = input.outcome && (await outcomeOnRecord(parts, input.outcome));
      if (earlier) return { ...earlier, operation: early.operation, outcomeRecorded: true };
      const admission = await decide(input, early);
      if (!input.outcome) return admission;
      return { ...admission, outcomeRecorded: await recordOutcome(parts, input.outcome, admission) };
    },
  };
}

/**
 * The outcome an earlier run of this admission stored under the same ids, if one did: the run
 * whose workflow task then failed (its worker died, or its answer never reached Temporal). The
 * retry acts on that outcome, not on its own decision, which may differ (the preview read other
 * facts, or the policy was reloaded): the trail is append-only and the first write of those ids
 * won, so acting otherwise would run, or deny, something the trail does not say. Unreadable:
 * admission decides and writes as if there were none.
 */
async function outcomeOnRecord(parts: AdmissionParts, outcome: NonNullable<AdmitRequestInput['outcome']>): Promise<Omit<Admission, 'operation'> | undefined> {
  let stored: StoredAuditEvent[];
  try {
    stored = await parts.storedAuditEvents({ actionId: outcome.actionId, eventIds: outcome.eventIds });
  } catch (err) {
    logWarn('admission could not read whether an earlier attempt stored its outcome', { error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
  if (stored.length === 0) return undefined;
  logWarn('admission found its outcome stored by an earlier attempt; acting on that one', { kinds: stored.map((event) => event.kind).join(', ') });
  return outcomeFromEvents(stored);
}

/**
 * Stores the outcome's events (domain/admission-outcome.ts) unless the action was cancelled while
 * admission ran: then nothing is stored and the admission ends cancelled, so the trail and the
 * workflow agree on which came first (the workflow waits for this activity before it judges a
 * cancel). A failing store does not fail admission, which would preview again: the workflow writes
 * the same events under the same ids, retrying until they are stored, before anything depends on them.
 */
async function recordOutcome(parts: AdmissionParts, outcome: NonNullable<AdmitRequestInput['outcome']>, admission: Admission): Promise<boolean> {
  if (currentActivity()?.cancellationSignal.aborted) throw new CancelledFailure('admission cancelled before its outcome was recorded');
  const events = admissionOutcomeEvents(outcome.eventIds, outcome.actionId, admission, new Date().toISOString());
  try {
    await parts.recordAuditEvents({ events });
    return true;
  } catch (err) {
    logWarn('admission could not store its outcome; the workflow stores it', { error: err instanceof Error ? err.message : String(err) });
    return false;
  }
}

/**
 * The preview, or why there is none: a failed preview does not stop admission (reviewers see why;
 * rules on its facts then match nothing). A retryable failure is thrown while attempts remain, so
 * the local activity's retry runs admission again: verification and the request's record are
 * idempotent, policy is pure and the preview only reads. A cancel ends the wait at once: the
 * workflow waits for admission before it judges the cancel, and the preview's answer no longer matters.
 */
async function previewOrFailure(parts: AdmissionParts, input: PreviewOperationInput): Promise<ActionPreview> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(ApplicationFailure.retryable(`the preview did not answer within ${PREVIEW_TIMEOUT_MS / 1000} s`, FailureType.PreviewTimeout)),
      PREVIEW_TIMEOUT_MS,
    );
  });
  const signal = currentActivity()?.cancellationSignal;
  let onAbort: (() => void) | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CancelledFailure('admission cancelled during the preview'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([parts.previewOperation(input), timeout, cancelled]);
  } catch (err) {
    if (err instanceof CancelledFailure) throw err;
    const attempt = currentActivity()?.info.attempt ?? PREVIEW_ATTEMPTS;
    if (attempt < PREVIEW_ATTEMPTS && retryable(err)) throw err;
    return { error: describeFailure(err) };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** Worth another attempt: not marked non-retryable, and not of a type that would end admission instead. */
function retryable(err: unknown): boolean {
  if (!(err instanceof ApplicationFailure)) return true;
  return !err.nonRetryable && !ADMISSION_FINAL_FAILURES.includes(err.type ?? '');
}
