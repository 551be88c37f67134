import type { AuditEventInput, RecordAuditEventsInput } from '../domain/audit-events';
import type { PolicyEvaluationBeforePreview } from '../domain/types';
import type { VerifyActionRequestInput } from './identity';
import type { EvaluatePolicyInput } from './policy';

export interface AdmitRequestInput extends VerifyActionRequestInput {
  /** The request.received event, numbered by the workflow: stored once the start is verified. */
  received: AuditEventInput;
  /** What policy decides on before any preview. */
  evaluation: EvaluatePolicyInput;
}

/** The activities admission is made of, as the worker registers them. */
export interface AdmissionParts {
  verifyActionRequest(input: VerifyActionRequestInput): Promise<void>;
  recordAuditEvents(input: RecordAuditEventsInput): Promise<unknown>;
  evaluatePolicyBeforePreview(input: EvaluatePolicyInput): Promise<PolicyEvaluationBeforePreview>;
}

/**
 * Admission's first step as one local activity (one marker in history instead of three): the start
 * is verified, then the request is on record, then policy decides on params, in that order and
 * each only if the one before it held. Every part is idempotent, so a retry repeats it safely.
 */
export function createAdmissionActivities(parts: AdmissionParts) {
  return {
    async admitRequest(input: AdmitRequestInput): Promise<PolicyEvaluationBeforePreview> {
      await parts.verifyActionRequest({ request: input.request, workflowStartedAt: input.workflowStartedAt });
      await parts.recordAuditEvents({ events: [input.received] });
      return parts.evaluatePolicyBeforePreview(input.evaluation);
    },
  };
}
