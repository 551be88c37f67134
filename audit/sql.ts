import type { AuditFilter } from './store';

/** SQL shared by both stores: the same columns, the same queries; only placeholders differ. */

/** Columns in the shape of `AuditRow` (double-quoted aliases work in SQLite and PostgreSQL). */
export const ROW_COLUMNS =
  'seq, event_id AS "eventId", kind, action_id AS "actionId", actor, occurred_at AS "occurredAt", ' +
  'recorded_at AS "recordedAt", data AS "dataJson", prev_hash AS "prevHash", hash';

export const INSERT_COLUMNS = 'seq, event_id, kind, action_id, actor, occurred_at, recorded_at, data, prev_hash, hash';

/** The one table both stores create; only the integer type of `seq` is spelled per dialect. */
export function createTableSql(seqType: 'INTEGER' | 'BIGINT'): string {
  return `CREATE TABLE IF NOT EXISTS audit_events (
     seq ${seqType} PRIMARY KEY,
     event_id TEXT NOT NULL UNIQUE,
     kind TEXT NOT NULL,
     action_id TEXT NOT NULL,
     actor TEXT NOT NULL,
     occurred_at TEXT NOT NULL,
     recorded_at TEXT NOT NULL,
     data TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   )`;
}

/** The indexes both stores create: lineage by action, export by actor or time. */
export const INDEXES = [
  'CREATE INDEX IF NOT EXISTS audit_events_action ON audit_events (action_id, seq)',
  'CREATE INDEX IF NOT EXISTS audit_events_actor ON audit_events (actor, seq)',
  'CREATE INDEX IF NOT EXISTS audit_events_occurred ON audit_events (occurred_at)',
];

export const APPEND_ONLY_MESSAGE = 'audit_events is append-only';

/** `SELECT … WHERE <filter> AND seq > ? ORDER BY seq LIMIT ?`, with the dialect's placeholders. */
export function pageQuery(
  filter: AuditFilter,
  afterSeq: number,
  limit: number,
  placeholder: (index: number) => string,
): { sql: string; params: (string | number)[] } {
  const params: (string | number)[] = [];
  const bind = (value: string | number): string => {
    params.push(value);
    return placeholder(params.length);
  };
  const clauses = [`seq > ${bind(afterSeq)}`];
  if (filter.actionId !== undefined) clauses.push(`action_id = ${bind(filter.actionId)}`);
  if (filter.actor !== undefined) clauses.push(`actor = ${bind(filter.actor)}`);
  if (filter.from !== undefined) clauses.push(`occurred_at >= ${bind(filter.from)}`);
  if (filter.to !== undefined) clauses.push(`occurred_at < ${bind(filter.to)}`);
  const sql = `SELECT ${ROW_COLUMNS} FROM audit_events WHERE ${clauses.join(' AND ')} ORDER BY seq LIMIT ${bind(limit)}`;
  return { sql, params };
}
