import { Pool, type PoolClient } from 'pg';
import type { AuditEventInput } from '../workflows/audit-events';
import type { AuditRow, ChainHead } from './chain';
import { APPEND_ONLY_MESSAGE, INDEXES, INSERT_COLUMNS, pageQuery } from './sql';
import type { AuditFilter, AuditStore, SealEvent } from './store';

/** Same table, indexes and append-only rule as the SQLite store, in PostgreSQL's dialect. */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS audit_events (
     seq BIGINT PRIMARY KEY,
     event_id TEXT NOT NULL UNIQUE,
     kind TEXT NOT NULL,
     action_id TEXT NOT NULL,
     actor TEXT NOT NULL,
     occurred_at TEXT NOT NULL,
     recorded_at TEXT NOT NULL,
     data TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   )`,
  ...INDEXES,
  `CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION '${APPEND_ONLY_MESSAGE}'; END $$`,
  `CREATE OR REPLACE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
     FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
  `CREATE OR REPLACE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
     FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,
];

/** Any constant: the advisory lock that stops two processes from creating the schema at once. */
const MIGRATION_LOCK = 74_230_501;

/**
 * The production store. Appends take a table lock that conflicts only with other appends
 * (readers go on), so each new row links to the true head whatever number of workers and API
 * instances write. `data` is TEXT, not jsonb: the hash covers the exact bytes written.
 */
export class PostgresAuditStore implements AuditStore {
  readonly kind = 'postgres';

  private constructor(private readonly pool: Pool) {}

  /** Connects and creates the schema if needed. */
  static async open(url: string, options: { poolSize?: number } = {}): Promise<PostgresAuditStore> {
    const pool = new Pool({ connectionString: url, max: options.poolSize ?? 4 });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', (err) => console.error(`audit store: idle PostgreSQL connection failed: ${err.message}`));
    try {
      await withClient(pool, async (client) => {
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
        await client.query('LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE');
        const head = await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
        const top = head.rows[0];
        let current: ChainHead | undefined = top ? { seq: Number(top.seq), hash: top.hash } : undefined;
        let added = 0;
        for (const event of events) {
          const existing = await client.query('SELECT 1 FROM audit_events WHERE event_id = $1', [event.eventId]);
          if (existing.rowCount) continue;
          const row = seal(event, current);
          await client.query(`INSERT INTO audit_events (${INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
            row.seq,
            row.eventId,
            row.kind,
            row.actionId,
            row.actor,
            row.occurredAt,
            row.recordedAt,
            row.dataJson,
            row.prevHash,
            row.hash,
          ]);
          current = { seq: row.seq, hash: row.hash };
          added += 1;
        }
        await client.query('COMMIT');
        return added;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined); // the connection may be gone; the error below matters
        throw err;
      }
    });
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
