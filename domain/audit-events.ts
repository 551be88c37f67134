/**
 * The audit events Airlock records, shared by the workflow (which builds most of them), the
 * activities and the API (which write the rest) and the audit store. No Node or SDK imports:
 * this module is bundled into the workflow sandbox.
 */
import type { JsonObject } from './types';

/** Every kind of audit event. The names are part of the export format: never rename one. */
export const AuditEventKind = {
  RequestReceived: 'request.received',
  PreviewCompleted: 'preview.completed',
  PreviewFailed: 'preview.failed',
  PolicyDecided: 'policy.decided',
  NotificationSent: 'notification.sent',
  NotificationFailed: 'notification.failed',
  ReviewReminded: 'review.reminded',
  ReviewEscalated: 'review.escalated',
  VoteRecorded: 'vote.recorded',
  VoteRefused: 'vote.refused',
  ActionApproved: 'action.approved',
  ActionDenied: 'action.denied',
  ActionRejected: 'action.rejected',
  ActionExpired: 'action.expired',
  ActionCancelled: 'action.cancelled',
  ActionFailed: 'action.failed',
  ExecutionStarted: 'execution.started',
  CredentialIssued: 'credential.issued',
  OperationSucceeded: 'operation.succeeded',
  OperationFailed: 'operation.failed',
} as const;
export type AuditEventKind = (typeof AuditEventKind)[keyof typeof AuditEventKind];

/** The actor of events Airlock itself causes (a timeout, a notification, an issued credential). */
export const SYSTEM_ACTOR = 'airlock';
/** The actor of policy decisions. */
export const POLICY_ACTOR = 'policy';

/** One event as its writer describes it; the store adds sequence, receipt time and chain hashes. */
export interface AuditEventInput {
  /** Unique and stable: writing an event whose id is already stored does nothing. */
  eventId: string;
  kind: AuditEventKind;
  /** The action the event belongs to. */
  actionId: string;
  /** Identity id of who caused it, or `airlock` / `policy`. */
  actor: string;
  /** ISO timestamp of when it happened (workflow time for workflow events). */
  occurredAt: string;
  /** Kind-specific facts. Never a secret: only names, ids and the request's own content. */
  data: JsonObject;
}

/** What the `recordAuditEvents` activity receives: events in the order they happened. */
export interface RecordAuditEventsInput {
  events: AuditEventInput[];
}
