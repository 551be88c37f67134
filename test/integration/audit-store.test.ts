import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { AuditLog } from '../../audit/audit-log';
import { openAuditLog } from '../../audit/open-store';
import { PostgresAuditStore } from '../../audit/postgres-store';
import { SqliteAuditStore } from '../../audit/sqlite-store';
import type { AuditStore } from '../../audit/store';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { AuditEventKind, type AuditEventInput } from '../../domain/audit-events';
import { freshStore, STORE_KINDS, type StoreUnderTest } from '../support/audit-stores';

/** The same behaviour on both stores: one schema, one code path above the store interface. */
describe.each(STORE_KINDS)('audit store (%s)', (kind) => {
  let store: StoreUnderTest;
  let audit: AuditLog;

  beforeEach(async () => {
    store = await freshStore(kind);
    audit = await openAuditLog(store.url);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await audit?.close();
    await store?.cleanup();
  });

  function event(n: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
    return {
      eventId: `act-${n % 3}/run/${n}`,
      kind: AuditEventKind.VoteRecorded,
      actionId: `act-${n % 3}`,
      actor: n % 2 === 0 ? 'bob' : 'carol',
      occurredAt: new Date(Date.UTC(2026, 10, 22, 10, 0, n)).toISOString(),
      data: { n, comment: `vote ${n} ✓` },
      ...overrides,
    };
  }

  async function seqs(): Promise<number[]> {
    const found: number[] = [];
    for await (const row of audit.rows()) found.push(row.seq);
    return found;
  }

  test('appends in order, each event sealed onto the last, and verifies', async () => {
    expect(await audit.append([event(1), event(2)])).toBe(2);
    expect(await audit.append([event(3)])).toBe(1);
    const records = [];
    for await (const record of audit.records()) records.push(record);
    expect(records.map((record) => [record.seq, record.eventId])).toEqual([
      [1, 'act-1/run/1'],
      [2, 'act-2/run/2'],
      [3, 'act-0/run/3'],
    ]);
    expect(records[0]?.data).toEqual({ n: 1, comment: 'vote 1 ✓' });
    expect(records[1]?.prevHash).toBe(records[0]?.hash);
    expect(await audit.verify()).toEqual({ ok: true, checked: 3, head: { seq: 3, hash: records[2]?.hash } });
  });

  test('an event id already stored is skipped: in one batch, across batches and across connections', async () => {
    expect(await audit.append([event(1), event(1), event(2)])).toBe(2);
    expect(await audit.append([event(2), event(3)])).toBe(1);
    const second = await openAuditLog(store.url);
    try {
      expect(await second.append([event(3, { data: { n: 99 } }), event(1)])).toBe(0);
    } finally {
      await second.close();
    }
    expect(await seqs()).toEqual([1, 2, 3]);
    expect((await audit.lineage('act-0'))[0]?.data).toEqual({ n: 3, comment: 'vote 3 ✓' }); // the first write stands
  });

  test('writers in separate processes interleave into one unbroken chain', async () => {
    const writers = ['alpha', 'beta', 'gamma'].map((name) => appendFromChildProcess(store.url, name, 60));
    await Promise.all(writers);
    expect(await seqs()).toEqual(Array.from({ length: 180 }, (_, index) => index + 1));
    const report = await audit.verify();
    expect(report).toMatchObject({ ok: true, checked: 180 });
    const writersSeen = new Set<string>();
    for await (const record of audit.records()) writersSeen.add(record.actor);
    expect([...writersSeen].sort()).toEqual(['alpha', 'beta', 'gamma']);
  });

  /** The store's own `append` under group commit (openAuditStore wraps it): each call is one transaction. */
  const storePrototype = (): AuditStore => (kind === 'embedded' ? SqliteAuditStore.prototype : PostgresAuditStore.prototype);

  test('appends from concurrent callers commit in one transaction, each caller getting the events it stored', async () => {
    const transactions = jest.spyOn(storePrototype(), 'append');
    expect(await audit.append([event(1)])).toBe(1);
    // event(3) twice: the first caller in queue order stores it. event(1) is stored already.
    const callers = [[event(2), event(3)], [event(3), event(4)], [event(1), event(5)], [event(6)]];
    const results = await Promise.all(callers.map((events) => audit.appendNew(events)));
    expect(results.map((stored) => stored.map((one) => one.data.n))).toEqual([[2, 3], [4], [5], [6]]);
    expect(transactions).toHaveBeenCalledTimes(2);
    expect(await seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 6 });
    if (kind === 'postgres') expect(await writingTransactions(store.url)).toBe(2);
  });

  test('appends made while a transaction is in flight wait, and go together in the next one', async () => {
    const prototype = storePrototype();
    const original = prototype.append;
    let later: Promise<number[]> | undefined;
    const transactions = jest.spyOn(prototype, 'append').mockImplementation(function (this: AuditStore, events, seal) {
      later ??= Promise.all([audit.append([event(2)]), audit.append([event(3), event(4)]), audit.append([event(5)])]);
      return original.call(this, events, seal);
    });
    expect(await audit.append([event(1)])).toBe(1);
    expect(await later).toEqual([1, 2, 1]);
    expect(transactions.mock.calls.map(([events]) => events.map((one) => one.data.n))).toEqual([[1], [2, 3, 4, 5]]);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 5 });
  });

  test('when the store refuses an event, every caller of its batch gets the error and nothing of the batch is stored', async () => {
    const raw = await store.raw();
    try {
      await raw.refuseInsertOf(event(4).eventId);
    } finally {
      await raw.close();
    }
    expect(await audit.append([event(1)])).toBe(1);
    const results = await Promise.allSettled([audit.append([event(2), event(3)]), audit.appendNew([event(5)]), audit.append([event(4)])]);
    expect(results.map((result) => (result.status === 'rejected' ? String((result.reason as Error).message) : result.status))).toEqual([
      'refused by the test',
      'refused by the test',
      'refused by the test',
    ]);
    expect(await seqs()).toEqual([1]);
    expect(await audit.append([event(2), event(3), event(5)])).toBe(3);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 4 });
  });

  test('reads filter by action, actor and time, in chain order, page by page', async () => {
    await audit.append(Array.from({ length: 12 }, (_, index) => event(index + 1)));
    const read = async (filter: Parameters<AuditLog['records']>[0], pageSize = 2) => {
      const found: number[] = [];
      for await (const record of audit.records(filter, pageSize)) found.push(record.data.n as number);
      return found;
    };
    expect(await read({ actionId: 'act-1' })).toEqual([1, 4, 7, 10]);
    expect(await read({ actor: 'bob' })).toEqual([2, 4, 6, 8, 10, 12]);
    expect(await read({ from: event(5).occurredAt, to: event(8).occurredAt })).toEqual([5, 6, 7]);
    expect(await read({ actionId: 'act-2', actor: 'bob', from: event(3).occurredAt }, 1)).toEqual([8]);
    expect(await read({ actionId: 'act-9' })).toEqual([]);
    expect((await audit.lineage('act-0')).map((record) => record.data.n)).toEqual([3, 6, 9, 12]);
  });

  test('the store itself refuses UPDATE and DELETE', async () => {
    await audit.append([event(1), event(2)]);
    const raw = await store.raw();
    try {
      await expect(raw.run(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 1`)).rejects.toThrow(/append-only/);
      await expect(raw.run('DELETE FROM audit_events WHERE seq = 2')).rejects.toThrow(/append-only/);
    } finally {
      await raw.close();
    }
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 2 });
  });

  test('editing one row in the database makes verify fail at that row', async () => {
    await audit.append(Array.from({ length: 6 }, (_, index) => event(index + 1)));
    await tamper(`UPDATE audit_events SET data = '{"comment":"approved","n":4}' WHERE seq = 4`);
    expect(await audit.verify()).toMatchObject({ ok: false, checked: 3, head: { seq: 3 }, firstBreak: { seq: 4, reason: 'hash_mismatch' } });
  });

  test('deleting one row in the database makes verify fail at that row', async () => {
    await audit.append(Array.from({ length: 6 }, (_, index) => event(index + 1)));
    await tamper('DELETE FROM audit_events WHERE seq = 5');
    expect(await audit.verify()).toMatchObject({ ok: false, checked: 4, firstBreak: { seq: 5, reason: 'missing' } });
  });

  test('after tampering, appends go on and the break is still reported', async () => {
    await audit.append([event(1), event(2), event(3)]);
    await tamper(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 2`);
    await audit.append([event(4)]);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBreak: { seq: 2, reason: 'hash_mismatch' } });
  });

  async function tamper(sql: string): Promise<void> {
    const raw = await store.raw();
    try {
      await raw.disableTriggers();
      await raw.run(sql);
    } finally {
      await raw.close();
    }
  }
});

/** How many transactions wrote the stored rows: PostgreSQL stamps each row with its writer's (xmin). */
async function writingTransactions(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>('SELECT count(DISTINCT xmin::text) AS count FROM audit_events');
    return Number(result.rows[0]?.count);
  } finally {
    await client.end();
  }
}

/** Appends `count` events one at a time from a separate Node process (the built store code in dist/). */
function appendFromChildProcess(url: string, writer: string, count: number): Promise<void> {
  const script = `
    const { openAuditLog } = require(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'audit', 'open-store.js'))});
    (async () => {
      const audit = await openAuditLog(process.argv[1]);
      for (let n = 1; n <= ${count}; n += 1) {
        await audit.append([{ eventId: '${writer}/' + n, kind: 'vote.recorded', actionId: 'act-${writer}', actor: '${writer}',
          occurredAt: new Date().toISOString(), data: { n } }]);
      }
      await audit.close();
    })().catch((err) => { console.error(err); process.exit(1); });`;
  return runInChildProcess(`writer ${writer}`, script, url);
}

/** Runs `script` in a separate Node process with `arg` as its argument; rejects, naming it `name`, unless it exits 0. */
function runInChildProcess(name: string, script: string, arg: string): Promise<void> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(process.execPath, ['-e', script, arg], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolveRun() : rejectRun(new Error(`${name} exited ${code}: ${stderr}`))));
  });
}

/** Pairs of processes: before the WAL switch was retried, 3 pairs in 40 had one of them fail SQLITE_BUSY. */
const OPENING_PAIRS = 40;

describe('the embedded store opened by two processes at once', () => {
  test('the worker and the API starting together on a new file both open it', async () => {
    const failures: string[] = [];
    for (let pair = 0; pair < OPENING_PAIRS; pair++) {
      const dir = mkdtempSync(join(tmpdir(), 'airlock-open-race-'));
      try {
        const file = join(dir, 'audit.db');
        const at = Date.now() + 250; // both past their start-up, opening within a millisecond of each other
        const opened = await Promise.allSettled([openFromChildProcess(file, at), openFromChildProcess(file, at)]);
        for (const result of opened) if (result.status === 'rejected') failures.push(String(result.reason));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

/** Opens the SQLite store at `file` from a separate Node process, at the wall-clock time `at` (busy-waiting until then). */
function openFromChildProcess(file: string, at: number): Promise<void> {
  const script = `
    const { SqliteAuditStore } = require(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'audit', 'sqlite-store.js'))});
    while (Date.now() < ${at}) {}
    new SqliteAuditStore(process.argv[1]).close();`;
  return runInChildProcess('an opening process', script, file);
}

describe('audit store on PostgreSQL with a least-privilege role', () => {
  test('a role that may only SELECT and INSERT can append and read, and can neither change rows nor switch the triggers off', async () => {
    const store = await freshStore('postgres');
    const owner = await openAuditLog(store.url); // creates the schema as the owner
    await owner.close();
    const role = `audit_writer_${Math.random().toString(16).slice(2, 10)}`;
    const raw = await store.raw();
    try {
      await raw.run(`CREATE ROLE ${role} LOGIN; GRANT SELECT, INSERT ON audit_events TO ${role}`);
    } finally {
      await raw.close();
    }
    const url = new URL(store.url);
    url.username = role;
    const writer = await openAuditLog(url.toString());
    try {
      const event = {
        eventId: 'least/1',
        kind: AuditEventKind.RequestReceived,
        actionId: 'act-least',
        actor: 'etl-bot',
        occurredAt: new Date().toISOString(),
        data: {},
      };
      expect(await writer.append([event])).toBe(1);
      expect(await writer.verify()).toMatchObject({ ok: true, checked: 1 });
    } finally {
      await writer.close();
    }
    const asRole = new Client({ connectionString: url.toString() });
    await asRole.connect();
    try {
      await expect(asRole.query('ALTER TABLE audit_events DISABLE TRIGGER USER')).rejects.toThrow(/must be owner/);
      await expect(asRole.query(`UPDATE audit_events SET actor = 'mallory'`)).rejects.toThrow(/permission denied/);
      await expect(asRole.query('DELETE FROM audit_events')).rejects.toThrow(/permission denied/);
    } finally {
      await asRole.end();
    }
  });
});
