/**
 * What admission decided, as the audit trail tells it: the preview (or why there is none), the
 * policy decision, and what follows from it at once (the denial, or the policy's approval and the
 * execution's start). Admission's local activity stores these events itself, under ids the
 * workflow reserved in its numbering (`admission-records-outcome`), so the workflow need not write
 * them in a task round trip of its own; if that store fails, the workflow writes the same events
 * under the same ids. No Node or SDK imports: the workflow bundles this module.
 */
import { AuditEventKind, POLICY_ACTOR, SYSTEM_ACTOR, type AuditEventInput } from './audit-events';
import type { ActionPreview, JsonObject, OperationFacts, PolicyDecision } from './types';

/** The most events an outcome takes: the preview, the decision, the approval and the execution's start. */
export const ADMISSION_OUTCOME_EVENTS = 4;

/** What admission answered: policy's decision, the operation's facts and, unless it denied on params alone, the preview. */
export interface AdmissionOutcome {
  decision: PolicyDecision;
  operation: OperationFacts;
  preview?: ActionPreview;
}

/**
 * The outcome's events in the trail's order, numbered by `eventIds` (the first ones; the rest are
 * left unused). The same order and data as the workflow wrote them before this patch: a decision
 * of `review` is followed by nothing here (the review opens in the workflow), any other decision
 * that is not a denial approves at once.
 */
export function admissionOutcomeEvents(eventIds: readonly string[], actionId: string, outcome: AdmissionOutcome, occurredAt: string): AuditEventInput[] {
  const { decision, operation, preview } = outcome;
  const events: [kind: AuditEventKind, actor: string, data: JsonObject][] = [];
  if (preview) events.push(['error' in preview ? AuditEventKind.PreviewFailed : AuditEventKind.PreviewCompleted, SYSTEM_ACTOR, previewData(preview)]);
  events.push([AuditEventKind.PolicyDecided, POLICY_ACTOR, decisionData(decision)]);
  const { effect, review, ruleId, reason } = decision;
  if (effect === 'deny') {
    events.push([AuditEventKind.ActionDenied, POLICY_ACTOR, { ruleId, reason }]);
  } else if (effect !== 'review' || !review) {
    events.push(
      [AuditEventKind.ActionApproved, POLICY_ACTOR, { by: 'policy', ruleId }],
      // No vote can exist yet: votes are refused until the review opens.
      [AuditEventKind.ExecutionStarted, SYSTEM_ACTOR, { approvers: [], idempotent: operation.idempotent }],
    );
  }
  if (events.length > eventIds.length) throw new Error(`admission's outcome takes ${events.length} events; ${eventIds.length} ids were reserved`);
  return events.map(([kind, actor, data], index) => ({ eventId: eventIds[index] as string, kind, actionId, actor, occurredAt, data }));
}

/** An outcome event as the store gives it back. */
export interface StoredOutcomeEvent {
  kind: string;
  data: JsonObject;
}

/**
 * The decision and preview an outcome's stored events tell, the inverse of `admissionOutcomeEvents`
 * (their data is `previewData` and `decisionData`, which keep every field). A retried admission
 * acts on these instead of on a decision of its own: what the trail says was decided is what runs.
 */
export function outcomeFromEvents(events: readonly StoredOutcomeEvent[]): Pick<AdmissionOutcome, 'decision' | 'preview'> {
  const decided = events.find((event) => event.kind === AuditEventKind.PolicyDecided);
  if (!decided || !isEffect(decided.data.effect)) throw new Error('the stored outcome has no readable policy.decided event');
  // Written by decisionData from a PolicyDecision: the same fields under the same names.
  const decision = decided.data as unknown as PolicyDecision;
  const previewed = events.find((event) => event.kind === AuditEventKind.PreviewCompleted || event.kind === AuditEventKind.PreviewFailed);
  if (!previewed) return { decision };
  // Written by previewData from an ActionPreview: the same fields under the same names.
  return { decision, preview: previewed.data as unknown as ActionPreview };
}

function isEffect(value: unknown): value is PolicyDecision['effect'] {
  return value === 'deny' || value === 'allow' || value === 'review';
}

export function previewData(preview: ActionPreview): JsonObject {
  if ('error' in preview) return { error: { ...preview.error } };
  return {
    facts: { ...preview.facts },
    notes: [...preview.notes],
    warnings: [...preview.warnings],
    ...(preview.detail !== undefined ? { detail: preview.detail } : {}),
    // What the execution is bound to: with it, the trail shows what an approval approved.
    ...(preview.preconditions !== undefined ? { preconditions: preview.preconditions } : {}),
  };
}

export function decisionData(decision: PolicyDecision): JsonObject {
  const review = decision.review;
  return {
    effect: decision.effect,
    ruleId: decision.ruleId,
    reason: decision.reason,
    risk: decision.risk,
    policyHash: decision.policyHash,
    ...(review
      ? {
          review: {
            approverGroups: [...review.approverGroups],
            eligibleApprovers: [...review.eligibleApprovers],
            ...(review.poolIdpGroups ? { poolIdpGroups: [...review.poolIdpGroups] } : {}),
            quorum: review.quorum,
            timeoutMs: review.timeoutMs,
            channels: [...review.channels],
            ...(review.remindBeforeMs ? { remindBeforeMs: [...review.remindBeforeMs] } : {}),
            ...(review.stepUpMaxAgeMs !== undefined ? { stepUpMaxAgeMs: review.stepUpMaxAgeMs } : {}),
            ...(review.escalation
              ? {
                  escalation: {
                    afterMs: review.escalation.afterMs,
                    approverGroups: [...review.escalation.approverGroups],
                    eligibleApprovers: [...review.escalation.eligibleApprovers],
                    ...(review.escalation.poolIdpGroups ? { poolIdpGroups: [...review.escalation.poolIdpGroups] } : {}),
                    channels: [...review.escalation.channels],
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}
