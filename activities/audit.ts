import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log';
import { AuditEventKind, SYSTEM_ACTOR, type AuditEventInput, type RecordAuditEventsInput } from '../domain/audit-events';
import type { JsonObject } from '../domain/types';
import { currentActivity } from './activity-context';
import type { LifecycleMetrics } from './lifecycle-metrics';
import type { OneShotSession, SessionPurpose } from './credentials';

/**
 * The activity the workflow writes its audit events through. Idempotent: stored ids are skipped.
 * With `metrics`, the events this call stored feed the lifecycle series: an event is observed the
 * one time it is stored, so a retried or replayed write counts nothing twice.
 */
export function createAuditActivities(audit: AuditLog, metrics?: LifecycleMetrics) {
  return {
    async recordAuditEvents(input: RecordAuditEventsInput): Promise<{ added: number }> {
      return { added: await storeAuditEvents(audit, metrics, input.events) };
    },

    /** The events of `actionId` stored under any of `eventIds`, in the order of `eventIds`: what an earlier attempt wrote. */
    async storedAuditEvents(input: StoredAuditEventsInput): Promise<StoredAuditEvent[]> {
      const wanted = new Set(input.eventIds);
      const found = new Map<string, StoredAuditEvent>();
      for await (const record of audit.records({ actionId: input.actionId })) {
        if (wanted.has(record.eventId)) found.set(record.eventId, { eventId: record.eventId, kind: record.kind, data: record.data });
      }
      return input.eventIds.flatMap((id) => found.get(id) ?? []);
    },
  };
}

export interface StoredAuditEventsInput {
  actionId: string;
  eventIds: string[];
}

export interface StoredAuditEvent {
  eventId: string;
  kind: string;
  data: JsonObject;
}

/** Stores workflow events (stored ids skipped); with `metrics`, the ones this call stored feed the lifecycle series. Returns how many were new. */
export async function storeAuditEvents(audit: AuditLog, metrics: LifecycleMetrics | undefined, events: AuditEventInput[]): Promise<number> {
  if (!metrics) return audit.append(events);
  const stored = await audit.appendNew(events);
  await metrics.observe(stored, (actionId) => audit.lineage(actionId));
  return stored.length;
}

/** What an issued one-shot credential may be known by: never the secret key or session token. */
export interface IssuedCredential {
  actionId: string;
  purpose: SessionPurpose;
  session: OneShotSession;
  accessKeyId: string;
  expiration?: Date;
  /** The session policy as STS received it, so the trail shows what the credential could do. */
  sessionPolicy?: string;
}

/**
 * Records a credential the moment STS issued it, from inside the activity that holds it (the key
 * id never passes through workflow history). The event id names the activity attempt and the
 * credential's access key id: every credential STS issues gets an event of its own (a retry's, a
 * renewal's, and a local activity's run again after its workflow task failed, which has the same
 * attempt), and a write of the same one repeated is skipped.
 */
export async function recordCredentialIssued(audit: AuditLog, issued: IssuedCredential): Promise<void> {
  await audit.append([
    {
      eventId: `${attemptId() ?? `direct/${randomUUID()}`}/credential/${issued.accessKeyId}`,
      kind: AuditEventKind.CredentialIssued,
      actionId: issued.actionId,
      actor: SYSTEM_ACTOR,
      occurredAt: new Date().toISOString(),
      data: {
        purpose: issued.purpose,
        roleArn: issued.session.roleArn,
        roleSessionName: issued.session.roleSessionName,
        sourceIdentity: issued.session.sourceIdentity,
        accessKeyId: issued.accessKeyId,
        ...(issued.expiration ? { expiresAt: issued.expiration.toISOString() } : {}),
        ...(issued.sessionPolicy !== undefined ? { sessionPolicy: issued.sessionPolicy } : {}),
      },
    },
  ]);
}

/** `<workflow id>/<run id>/activity/<activity id>/<attempt>` inside an activity; undefined outside one. */
function attemptId(): string | undefined {
  const context = currentActivity();
  if (!context) return undefined;
  const { workflowExecution, activityId, attempt } = context.info;
  if (!workflowExecution) return `activity/${activityId}/${attempt}`;
  return `${workflowExecution.workflowId}/${workflowExecution.runId}/activity/${activityId}/${attempt}`;
}
