/**
 * The data of each workflow audit event, built from workflow state. Explicit field lists, not
 * spreads: what an auditor reads is decided here, and nothing else slips in.
 */
import type {
  ActionRequestInput,
  CancelInput,
  DecideInput,
  IdentityProof,
  EscalationRecord,
  JsonObject,
  NotificationRecord,
  ReminderRecord,
  VoteAuthentication,
} from '../domain/types';
import { publicMessageRef } from '../domain/message-ref';

export function requestData(input: ActionRequestInput): JsonObject {
  return {
    action: input.action,
    // Redacted arguments as digests (domain/audit-redaction.ts); most requests have no audit form.
    params: input.auditParams ?? input.params,
    justification: input.justification,
    source: input.requester.source,
    requestedAt: input.requestedAt,
    ...(input.origin ? { origin: { ...input.origin } } : {}),
    ...(input.context ? { context: input.context } : {}),
    ...(input.callbackUrl ? { callbackUrl: input.callbackUrl } : {}),
    ...(input.proof ? { proof: proofData(input.proof) } : {}),
  };
}

/** The signature as stored: enough, with the event's other fields, to verify it offline (audit:verify). */
function proofData(proof: IdentityProof): JsonObject {
  return { keyId: proof.keyId, issuedAt: proof.issuedAt, signature: proof.signature };
}

export function voteData(decision: DecideInput, approvals: number, quorum: number, updateId?: string): JsonObject {
  return {
    verdict: decision.verdict,
    channel: decision.channel,
    ...(decision.comment !== undefined ? { comment: decision.comment } : {}),
    // The console sign-in behind the vote (auth_time, acr, amr, IdP groups): signed, so audit:verify checks it too.
    ...(decision.authentication !== undefined ? { authentication: authenticationData(decision.authentication) } : {}),
    approvals,
    quorum,
    ...(updateId ? { updateId } : {}),
    ...(decision.proof ? { proof: proofData(decision.proof) } : {}),
  };
}

/** Exactly what the proof signed (a JSON copy), so audit:verify can rebuild the statement from the trail. */
function authenticationData(authentication: VoteAuthentication): JsonObject {
  return JSON.parse(JSON.stringify(authentication)) as JsonObject;
}

export function cancelData(request: CancelInput, from: string, updateId?: string): JsonObject {
  return {
    from,
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
    ...(updateId ? { updateId } : {}),
    ...(request.proof ? { proof: proofData(request.proof) } : {}),
  };
}

export function notificationData(record: NotificationRecord): JsonObject {
  // The trail's shape from its first events on: `{ channel, ts }`, the conversation and the message id.
  const ref = record.ref ? publicMessageRef(record.ref) : undefined;
  return {
    target: record.target,
    ...(record.purpose ? { purpose: record.purpose } : {}),
    ...(ref ? { ref: { channel: ref.channel, ts: ref.ts } } : {}),
    ...(record.error ? { error: { ...record.error } } : {}),
  };
}

export function reminderData(reminder: ReminderRecord, deadline: string | undefined): JsonObject {
  return { pending: [...reminder.pending], ...(deadline ? { deadline } : {}) };
}

export function escalationData(escalation: EscalationRecord, channels: readonly string[]): JsonObject {
  return { approverGroups: [...escalation.approverGroups], addedApprovers: [...escalation.addedApprovers], channels: [...channels] };
}

// The result's data is built where the result is (the execute activity stores it): domain/operation-result-event.ts.
export { resultData } from '../domain/operation-result-event';
// The preview's and the decision's are built where admission stores them: domain/admission-outcome.ts.
export { decisionData, previewData } from '../domain/admission-outcome';
