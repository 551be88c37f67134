import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { createTestDatabase } from './postgres';

/** Direct SQL on a store's database, as someone with the database's own rights could run it. */
export interface RawAccess {
  /** Runs SQL with the append-only triggers in place (expected to be refused for UPDATE/DELETE). */
  run(sql: string): Promise<void>;
  /** Switches the append-only triggers off, as the table's owner can, to tamper. */
  disableTriggers(): Promise<void>;
  /** Makes the database refuse to insert this event (message `refused by the test`), as a full disk would refuse any. */
  refuseInsertOf(eventId: string): Promise<void>;
  close(): Promise<void>;
}

/** One audit store kind for a test: a fresh database, its URL, and raw access for tampering. */
export interface StoreUnderTest {
  url: string;
  raw(): Promise<RawAccess>;
  cleanup(): Promise<void>;
}

export type StoreKind = 'embedded' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['embedded', 'postgres'];

export function freshStore(kind: StoreKind): Promise<StoreUnderTest> {
  return kind === 'embedded' ? freshSqliteStore() : freshPostgresStore();
}

async function freshSqliteStore(): Promise<StoreUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-audit-test-'));
  const file = join(dir, 'audit.db');
  return {
    url: `sqlite:${file}`,
    raw: async () => {
      const db = new Database(file);
      db.pragma('busy_timeout = 10000');
      return {
        run: async (sql) => {
          try {
            db.exec(sql);
          } catch (err) {
            // The native module is loaded once per jest process, so its SqliteError may come from
            // another test file's realm, where jest's toThrow does not see an Error.
            throw new Error((err as Error).message);
          }
        },
        disableTriggers: async () => void db.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;'),
        refuseInsertOf: async (eventId) =>
          void db
            .prepare(
              `CREATE TRIGGER audit_events_refuse_test BEFORE INSERT ON audit_events WHEN NEW.event_id = ${quoted(eventId)}
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
            )
            .run(),
        close: async () => void db.close(),
      };
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function freshPostgresStore(): Promise<StoreUnderTest> {
  const url = await createTestDatabase();
  return {
    url,
    raw: async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      return {
        run: async (sql) => void (await client.query(sql)),
        disableTriggers: async () => void (await client.query('ALTER TABLE audit_events DISABLE TRIGGER USER')),
        refuseInsertOf: async (eventId) => {
          await client.query(`CREATE FUNCTION audit_events_refuse_test() RETURNS trigger LANGUAGE plpgsql AS $$
                                BEGIN RAISE EXCEPTION 'refused by the test'; END $$`);
          await client.query(`CREATE TRIGGER audit_events_refuse_test BEFORE INSERT ON audit_events
                                FOR EACH ROW WHEN (NEW.event_id = ${quoted(eventId)}) EXECUTE FUNCTION audit_events_refuse_test()`);
        },
        close: () => client.end(),
      };
    },
    cleanup: async () => undefined, // the server and its databases go with the test run
  };
}

/** A SQL string literal (both dialects): DDL takes no bound parameters. */
function quoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
