import { performance } from 'node:perf_hooks';
import type { AuditLog } from '../../audit/audit-log';
import { AuditEventKind, POLICY_ACTOR, SYSTEM_ACTOR, type AuditEventInput } from '../../domain/audit-events';
import type { JsonObject } from '../../domain/types';

/** One action's story as the workflow records it; each action goes round it several times. */
const LIFECYCLE: AuditEventKind[] = [
  AuditEventKind.RequestReceived,
  AuditEventKind.PreviewCompleted,
  AuditEventKind.PolicyDecided,
  AuditEventKind.NotificationSent,
  AuditEventKind.VoteRecorded,
  AuditEventKind.ActionApproved,
  AuditEventKind.ExecutionStarted,
  AuditEventKind.CredentialIssued,
  AuditEventKind.OperationSucceeded,
  AuditEventKind.NotificationSent,
];

const REQUESTERS = ['etl-bot', 'reporting-agent', 'backup-runner', 'ml-pipeline'];
const REVIEWERS = ['alice', 'bob', 'carol'];
const START = Date.UTC(2026, 10, 1);

/**
 * Event `n` (0-based) of a trail where `actions` actions interleave, as concurrent workflows do.
 * Deterministic, so every run and every store stores the same bytes.
 */
export function syntheticEvent(n: number, actions: number): AuditEventInput {
  const action = n % actions;
  const round = Math.floor(n / actions);
  const kind = LIFECYCLE[(round + action) % LIFECYCLE.length] ?? AuditEventKind.RequestReceived;
  const actionId = `action-s3.copyObject-bench-${String(action).padStart(5, '0')}`;
  const requester = REQUESTERS[action % REQUESTERS.length] ?? 'etl-bot';
  const reviewer = REVIEWERS[(action + round) % REVIEWERS.length] ?? 'alice';
  return {
    eventId: `${actionId}/run-${String(action).padStart(8, '0')}-0000-4000-8000-000000000000/${round}`,
    kind,
    actionId,
    actor: actorOf(kind, requester, reviewer),
    occurredAt: new Date(START + n * 250).toISOString(),
    data: eventData(kind, action, requester, reviewer),
  };
}

function actorOf(kind: AuditEventKind, requester: string, reviewer: string): string {
  if (kind === AuditEventKind.RequestReceived) return requester;
  if (kind === AuditEventKind.VoteRecorded) return reviewer;
  return kind === AuditEventKind.PolicyDecided ? POLICY_ACTOR : SYSTEM_ACTOR;
}

function eventData(kind: AuditEventKind, action: number, requester: string, reviewer: string): JsonObject {
  const key = `finance/2026-q3/part-${String(action).padStart(5, '0')}.csv`;
  const session = { roleArn: 'arn:aws:iam::123456789012:role/airlock-executor', roleSessionName: `airlock-${action}`, sourceIdentity: requester };
  switch (kind) {
    case AuditEventKind.RequestReceived:
      return {
        action: 's3.copyObject',
        params: { sourceBucket: 'airlock-source', sourceKey: `reports/${key}`, destinationBucket: 'airlock-exports', destinationKey: key },
        justification: `Finance needs part ${action} of the Q3 report for the board pack`,
        source: 'api',
        requestedAt: new Date(START).toISOString(),
        origin: { ip: '10.20.30.40', userAgent: 'airlock-agent-sdk/1.4.2 node/20.19.0' },
      };
    case AuditEventKind.PreviewCompleted:
      return {
        facts: { sourceBytes: 1_048_576 + action, sourceContentType: 'text/csv', destinationExists: false },
        notes: [`copies s3://airlock-source/reports/${key} (1.0 MiB, text/csv)`],
        warnings: [],
      };
    case AuditEventKind.PolicyDecided:
      return {
        effect: 'review',
        ruleId: 'review-exports',
        reason: 'Copies into the exports bucket need one finance reviewer',
        risk: 'medium',
        policyHash: `sha256:${'3f'.repeat(32)}`,
        review: { approverGroups: ['finance-reviewers'], eligibleApprovers: [...REVIEWERS], quorum: 1, timeoutMs: 86_400_000 },
      };
    case AuditEventKind.VoteRecorded:
      return { verdict: 'approve', channel: 'slack', comment: `Checked against the board pack index (${reviewer})`, approvals: 1, quorum: 1 };
    case AuditEventKind.ActionApproved:
      return { by: 'quorum', approvers: [reviewer] };
    case AuditEventKind.ExecutionStarted:
      return { approvers: [reviewer], idempotent: true };
    case AuditEventKind.CredentialIssued:
      return { purpose: 'execute', ...session, accessKeyId: `ASIA${String(action).padStart(16, '0')}`, expiresAt: new Date(START + 900_000).toISOString() };
    case AuditEventKind.OperationSucceeded:
      return {
        summary: `copy s3://airlock-source/reports/${key} to s3://airlock-exports/${key}`,
        outputs: { destination: `s3://airlock-exports/${key}`, etag: `"${'9b'.repeat(16)}"` },
        session,
        completedAt: new Date(START + 60_000).toISOString(),
      };
    default:
      return { target: 'slack', ref: { channel: 'C0AIRLOCK', ts: `1764000000.${String(action).padStart(6, '0')}` } };
  }
}

export interface SeedResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/** Appends `events` synthetic events through AuditLog.append, `batch` per call (one transaction each). */
export async function seedAuditLog(audit: AuditLog, options: { events: number; actions: number; batch: number }): Promise<SeedResult> {
  const started = performance.now();
  let added = 0;
  for (let first = 0; first < options.events; first += options.batch) {
    const batch: AuditEventInput[] = [];
    for (let n = first; n < Math.min(first + options.batch, options.events); n += 1) batch.push(syntheticEvent(n, options.actions));
    added += await audit.append(batch);
  }
  const seconds = (performance.now() - started) / 1000;
  if (added !== options.events) throw new Error(`seeding stored ${added} events, expected ${options.events} (was the store not empty?)`);
  return { events: added, seconds, eventsPerSecond: added / seconds };
}
