import type { AuditFilter } from '../../../audit/store';
import { auditQuery } from '../../routes/audit';
import { queryText } from './query';

/** The audit filters as the form shows them: times in UTC without an offset (a datetime-local field's format). */
export interface AuditFilterForm {
  from?: string | undefined;
  to?: string | undefined;
  action?: string | undefined;
  actor?: string | undefined;
}

export type ParsedAuditFilter = { ok: true; filter: AuditFilter; form: AuditFilterForm } | { ok: false; problem: string; form: AuditFilterForm };

/** A time from the form: a datetime-local value (read as UTC, as the form says) or an ISO time with its offset. */
function withOffset(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return `${value}:00Z`;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value) ? `${value}Z` : value;
}

/** `2026-12-04T18:42:14` (UTC): what a datetime-local field shows. */
export function formTime(iso: string): string {
  return iso.slice(0, 19);
}

/**
 * The filters of the audit pages, checked as `GET /v1/audit` checks them (the same schema); an
 * empty field is no filter, and `defaultFrom` applies when no filter at all was given.
 */
export function parseAuditFilter(query: unknown, defaultFrom?: string): ParsedAuditFilter {
  const given = Object.fromEntries(
    (['from', 'to', 'action', 'actor'] as const).flatMap((name) => {
      const value = queryText(query, name);
      return value === undefined || value === '' ? [] : [[name, name === 'from' || name === 'to' ? withOffset(value) : value]];
    }),
  ) as Record<string, string>;
  if (Object.keys(given).length === 0 && defaultFrom) given.from = defaultFrom;
  const parsed = auditQuery.safeParse(given);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'filter'}: ${issue.message}`).join('; ');
    const form = { from: queryText(query, 'from'), to: queryText(query, 'to'), action: queryText(query, 'action'), actor: queryText(query, 'actor') };
    return { ok: false, problem, form };
  }
  const { from, to, action, actor } = parsed.data;
  const filter: AuditFilter = { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(action ? { actionId: action } : {}), ...(actor ? { actor } : {}) };
  return { ok: true, filter, form: { from: from && formTime(from), to: to && formTime(to), action, actor } };
}

/** The query string of a filter, for links to the export (the same events as the page). */
export function auditFilterQuery(filter: AuditFilter): Record<string, string | undefined> {
  return { from: filter.from, to: filter.to, action: filter.actionId, actor: filter.actor };
}
