import type { AuditRecord } from '../../../audit/audit-log';
import type { JsonObject, JsonValue } from '../../../domain/types';

/** One audit event in a few words, for timelines and lists; auditors read the full data on the lineage page. */
export function describeEvent(record: Pick<AuditRecord, 'kind' | 'data'>): string {
  const { data } = record;
  switch (record.kind) {
    case 'request.received':
      return `requested ${text(data, 'action')}`;
    case 'preview.completed':
      return 'preview read';
    case 'preview.failed':
      return `preview failed: ${text(object(data, 'error'), 'message')}`;
    case 'policy.decided':
      return `${text(data, 'effect')} by rule ${text(data, 'ruleId')} (${text(data, 'risk')} risk)`;
    case 'notification.sent':
      return `announced to ${text(data, 'target')}${data.purpose ? ` (${text(data, 'purpose')})` : ''}`;
    case 'notification.failed':
      return `could not announce to ${text(data, 'target')}`;
    case 'review.reminded':
      return `reminded ${list(data, 'pending')}`;
    case 'review.escalated':
      return `escalated to ${list(data, 'approverGroups')}`;
    case 'vote.recorded':
      return `${data.verdict === 'approve' ? 'approved' : 'rejected'} via ${text(data, 'channel')}${data.comment ? `: ${text(data, 'comment')}` : ''}`;
    case 'vote.refused':
      return `vote refused (${text(data, 'code')})`;
    case 'action.approved':
      return data.by === 'policy' ? 'allowed by policy' : `approved by ${list(data, 'approvers')}`;
    case 'execution.started':
      return 'execution started';
    case 'credential.issued':
      return `credential issued for ${text(data, 'purpose')} (${text(data, 'roleSessionName')})`;
    case 'operation.succeeded':
      return `succeeded: ${text(data, 'summary')}`;
    case 'operation.failed':
    case 'action.failed':
      return `failed: ${text(object(data, 'error'), 'message')}`;
    case 'action.rejected':
      return `rejected${data.comment ? `: ${text(data, 'comment')}` : ''}`;
    case 'action.cancelled':
      return `cancelled${data.reason ? `: ${text(data, 'reason')}` : ''}`;
    default:
      return record.kind.replace('.', ' ');
  }
}

function text(data: JsonObject | undefined, key: string): string {
  const value: JsonValue | undefined = data?.[key];
  if (value === undefined || value === null) return '?';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function list(data: JsonObject, key: string): string {
  const value = data[key];
  return Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(', ') || 'nobody' : text(data, key);
}

function object(data: JsonObject, key: string): JsonObject | undefined {
  const value = data[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}
