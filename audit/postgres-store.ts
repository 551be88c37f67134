import { Pool, type PoolClient } from 'pg';
import type { AuditEventInput } from '../domain/audit-events';
import type { AuditRow, ChainHead } from './chain';
import { APPEND_ONLY_MESSAGE, createTableSql, INDEXES, INSERT_COLUMNS, pageQuery } from './sql';
import type { AuditFilter, AuditStore, SealEvent } from './store';

/** Same table, indexes and append-only rule as the SQLite store, in PostgreSQL's dialect. */
const SCHEMA = [
  createTableSql('BIGINT'),
  ...INDEXES,
  `CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION '${APPEND_ONLY_MESSAGE}'; END $$`,
  `CREATE OR REPLACE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
     FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
  `CREATE OR REPLACE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
     FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,
];

/** Rows per INSERT: 10 parameters each stays far below PostgreSQL's 65,535. */
const INSERT_CHUNK = 1000;

/** Any constants: the advisory locks that serialize schema creation, and appends, across processes. */
const MIGRATION_LOCK = 74_230_501;
const APPEND_LOCK = 74_230_502;

/**
 * The production store. Appends hold one advisory lock for their transaction, so they run one at
 * a time (readers go on) and each new row links to the true head, whatever number of workers and
 * API instances write. `data` is TEXT, not jsonb: the hash covers the exact bytes written.
 */
export class PostgresAuditStore implements AuditStore {
  readonly kind = 'postgres';

  private constructor(private readonly pool: Pool) {}

  /**
   * Connects, and creates the schema if the table is missing. When it exists nothing is changed, so
   * a role that may only SELECT and INSERT on `audit_events` works (docs/audit.md).
   */
  static async open(url: string, options: { poolSize?: number } = {}): Promise<PostgresAuditStore> {
    const pool = new Pool({ connectionString: url, max: options.poolSize ?? 4 });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', (err) => console.error(`audit store: idle PostgreSQL connection failed: ${err.message}`));
    try {
      await withClient(pool, async (client) => {
        const found = await client.query<{ present: boolean }>(`SELECT to_regclass('audit_events') IS NOT NULL AS present`);
        if (found.rows[0]?.present) return;
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
        try {
          for (const sql of SCHEMA) await client.query(sql);
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        }
      });
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresAuditStore(pool);
  }

  append(events: AuditEventInput[], seal: SealEvent): Promise<number> {
    return withClient(this.pool, async (client) => {
      await client.query('BEGIN');
      try {
        // An advisory lock, not LOCK TABLE: it needs no UPDATE right, so an INSERT-only role can append.
        await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
        const fresh = await this.unstored(client, events);
        const head = await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
        const top = head.rows[0];
        let current: ChainHead | undefined = top ? { seq: Number(top.seq), hash: top.hash } : undefined;
        const rows = fresh.map((event) => {
          const row = seal(event, current);
          current = { seq: row.seq, hash: row.hash };
          return row;
        });
        for (let start = 0; start < rows.length; start += INSERT_CHUNK) await insertRows(client, rows.slice(start, start + INSERT_CHUNK));
        await client.query('COMMIT');
        return rows.length;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined); // the connection may be gone; the error below matters
        throw err;
      }
    });
  }

  /** The events whose ids are not stored yet, first occurrence only, in order: one query per batch. */
  private async unstored(client: PoolClient, events: AuditEventInput[]): Promise<AuditEventInput[]> {
    const ids = [...new Set(events.map((event) => event.eventId))];
    const stored = await client.query<{ event_id: string }>('SELECT event_id FROM audit_events WHERE event_id = ANY($1)', [ids]);
    const seen = new Set(stored.rows.map((row) => row.event_id));
    const fresh: AuditEventInput[] = [];
    for (const event of events) {
      if (seen.has(event.eventId)) continue;
      seen.add(event.eventId);
      fresh.push(event);
    }
    return fresh;
  }

  async page(filter: AuditFilter, afterSeq: number, limit: number): Promise<AuditRow[]> {
    const { sql, params } = pageQuery(filter, afterSeq, limit, (index) => `$${index}`);
    const result = await this.pool.query<Omit<AuditRow, 'seq'> & { seq: string }>(sql, params);
    return result.rows.map((row) => ({ ...row, seq: Number(row.seq) })); // BIGINT arrives as a string
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

async function withClient<T>(pool: Pool, use: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await use(client);
  } finally {
    client.release();
  }
}

async function insertRows(client: PoolClient, rows: AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values: (string | number)[] = [];
  const tuples = rows.map((row) => {
    const base = values.length;
    values.push(row.seq, row.eventId, row.kind, row.actionId, row.actor, row.occurredAt, row.recordedAt, row.dataJson, row.prevHash, row.hash);
    return `(${Array.from({ length: 10 }, (_, index) => `$${base + index + 1}`).join(', ')})`;
  });
  await client.query(`INSERT INTO audit_events (${INSERT_COLUMNS}) VALUES ${tuples.join(', ')}`, values);
}
