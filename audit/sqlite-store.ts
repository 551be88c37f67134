import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEventInput } from '../domain/audit-events';
import type { AuditRow, ChainHead } from './chain';
import { APPEND_ONLY_MESSAGE, createTableSql, INDEXES, INSERT_COLUMNS, pageQuery } from './sql';
import type { AuditFilter, AuditStore, SealEvent } from './store';

const SCHEMA = [
  // INTEGER PRIMARY KEY: seq is the rowid.
  createTableSql('INTEGER'),
  ...INDEXES,
  `CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
     BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}'); END`,
  `CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
     BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}'); END`,
];

/** How long a connection waits for another process's lock, at open and for each write. */
const BUSY_TIMEOUT_MS = 10_000;

/**
 * Puts the file in WAL mode. When the worker and the API open a new file at the same moment (both
 * start at once), one switch can find the other's lock and fail SQLITE_BUSY at once: SQLite does
 * not call the busy handler there, to avoid a deadlock between two lock upgrades. Measured 3 times
 * in 40 with two processes opening one new file together. Tried again until the busy timeout.
 */
function switchToWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() + pause > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause); // opening is synchronous: a blocking pause
    }
  }
}

/**
 * The embedded store: one SQLite file, no server. WAL lets the worker and the API (separate
 * processes) read while one writes; `BEGIN IMMEDIATE` serializes writers across processes, and
 * the file lock dies with its process, so a killed worker never leaves the store locked.
 */
export class SqliteAuditStore implements AuditStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly appendAll: (events: AuditEventInput[], seal: SealEvent) => number;

  constructor(file: string) {
    if (file !== ':memory:') createPrivately(file);
    this.db = new Database(file);
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`); // wait for another process's write instead of failing
    switchToWal(this.db);
    this.db.pragma('synchronous = FULL'); // an acknowledged audit event survives a power cut
    // Created once; an existing table is left as it is (no write at open, no quiet repair).
    const present = this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'`).get();
    if (!present) this.db.transaction(() => SCHEMA.forEach((sql) => this.db.exec(sql))).immediate();

    const byId = this.db.prepare<[string], { seq: number }>('SELECT seq FROM audit_events WHERE event_id = ?');
    const head = this.db.prepare<[], ChainHead>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    const insert = this.db.prepare<AuditRow>(
      `INSERT INTO audit_events (${INSERT_COLUMNS}) VALUES ` +
        '(@seq, @eventId, @kind, @actionId, @actor, @occurredAt, @recordedAt, @dataJson, @prevHash, @hash)',
    );
    const appendAll = (events: AuditEventInput[], seal: SealEvent): number => {
      let current = head.get();
      let added = 0;
      for (const event of events) {
        if (byId.get(event.eventId)) continue;
        const row = seal(event, current);
        insert.run(row);
        current = { seq: row.seq, hash: row.hash };
        added += 1;
      }
      return added;
    };
    const transaction = this.db.transaction(appendAll);
    this.appendAll = (events, seal) => transaction.immediate(events, seal);
  }

  append(events: AuditEventInput[], seal: SealEvent): Promise<number> {
    return Promise.resolve().then(() => this.appendAll(events, seal));
  }

  page(filter: AuditFilter, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return Promise.resolve().then(() => {
      const { sql, params } = pageQuery(filter, afterSeq, limit, () => '?');
      return this.db.prepare<(string | number)[], AuditRow>(sql).all(...params);
    });
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}

/**
 * The trail names every requester and approver and holds every request's params: its owner's
 * alone. A folder Airlock creates is 0700 and a new file 0600 (SQLite gives its -wal and -shm files
 * the database file's mode); an existing folder or file keeps the mode its operator gave it.
 */
function createPrivately(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600)); // an empty file is an empty database to SQLite
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
