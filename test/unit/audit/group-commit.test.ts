import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AuditLog } from '../../../audit/audit-log';
import type { AuditRow } from '../../../audit/chain';
import { InvalidAuditEventError } from '../../../audit/event-check';
import { GroupCommitStore } from '../../../audit/group-commit';
import { SqliteAuditStore } from '../../../audit/sqlite-store';
import type { AuditFilter, AuditStore, SealEvent } from '../../../audit/store';
import { AuditEventKind, type AuditEventInput } from '../../../domain/audit-events';
import type { JsonObject } from '../../../domain/types';

/** The store under group commit, recording each transaction (one per `append`, store.ts) by its event ids. */
class TransactionLog implements AuditStore {
  readonly kind: string;
  readonly transactions: string[][] = [];
  /** While set, a transaction waits for it before it begins: a flush held in flight. */
  hold: Promise<void> | undefined;

  constructor(private readonly inner: AuditStore) {
    this.kind = inner.kind;
  }

  async append(events: AuditEventInput[], seal: SealEvent): Promise<number> {
    this.transactions.push(events.map((event) => event.eventId));
    if (this.hold) await this.hold;
    return this.inner.append(events, seal);
  }

  page(filter: AuditFilter, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return this.inner.page(filter, afterSeq, limit);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function event(eventId: string, data: JsonObject = { from: eventId }): AuditEventInput {
  return {
    eventId,
    kind: AuditEventKind.NotificationSent,
    actionId: eventId.split('/')[0] ?? eventId,
    actor: 'airlock',
    occurredAt: '2026-11-22T10:00:00.000Z',
    data,
  };
}

const idsOf = (events: AuditEventInput[]): string[] => events.map((stored) => stored.eventId);
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('group commit on the embedded store', () => {
  let dir: string;
  let file: string;
  let transactions: TransactionLog;
  let audit: AuditLog;
  let closed: boolean;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-group-commit-'));
    file = join(dir, 'audit.db');
    transactions = new TransactionLog(new SqliteAuditStore(file));
    audit = new AuditLog(new GroupCommitStore(transactions));
    closed = false;
  });
  afterEach(async () => {
    if (!closed) await audit.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function storedIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const row of audit.rows()) ids.push(row.eventId);
    return ids;
  }

  test('appends from 16 concurrent callers share one transaction, and each caller gets the events it stored', async () => {
    const callers = Array.from({ length: 16 }, (_, caller) => [event(`c${caller}/1`), event(`c${caller}/2`)]);
    const results = await Promise.all(callers.map((events) => audit.appendNew(events)));
    expect(transactions.transactions).toHaveLength(1);
    expect(results.map(idsOf)).toEqual(callers.map(idsOf));
    expect(await storedIds()).toEqual(callers.flatMap(idsOf));
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 32 });
  });

  test('an id two callers of a batch share is stored once, for the first in queue order; stored ids are skipped', async () => {
    expect(await audit.append([event('old/1')])).toBe(1);
    const [first, second, third] = await Promise.all([
      audit.appendNew([event('old/1'), event('a/1'), event('shared/1')]),
      audit.append([event('shared/1', { from: 'second' }), event('b/1')]),
      audit.appendNew([event('shared/1', { from: 'third' }), event('old/1')]),
    ]);
    expect(idsOf(first)).toEqual(['a/1', 'shared/1']);
    expect(second).toBe(1);
    expect(third).toEqual([]);
    expect(transactions.transactions).toHaveLength(2);
    expect(await storedIds()).toEqual(['old/1', 'a/1', 'shared/1', 'b/1']);
    expect((await audit.lineage('shared'))[0]?.data).toEqual({ from: 'shared/1' });
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 4 });
  });

  test('appends made while a transaction is in flight wait, and go together in the next one', async () => {
    let release = (): void => undefined;
    transactions.hold = new Promise((resolve) => (release = resolve));
    const first = audit.append([event('first/1')]);
    await nextTurn();
    expect(transactions.transactions).toEqual([['first/1']]);
    const later = Promise.all([audit.appendNew([event('b/1')]), audit.appendNew([event('c/1'), event('c/2')]), audit.append([event('d/1')])]);
    await nextTurn();
    expect(transactions.transactions).toHaveLength(1); // still waiting for the one in flight
    transactions.hold = undefined;
    release();
    expect(await first).toBe(1);
    const [b, c, d] = await later;
    expect([idsOf(b), idsOf(c), d]).toEqual([['b/1'], ['c/1', 'c/2'], 1]);
    expect(transactions.transactions).toEqual([['first/1'], ['b/1', 'c/1', 'c/2', 'd/1']]);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 5 });
  });

  test('when the store refuses one event of a batch, every caller in it gets the error and none of its events is stored', async () => {
    const raw = new Database(file);
    // A refusal only the database knows of, like a full disk: it strikes after the batch's earlier rows were inserted.
    raw.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON audit_events WHEN NEW.event_id = 'poison/1'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    raw.close();
    expect(await audit.append([event('before/1')])).toBe(1);
    const results = await Promise.allSettled([audit.append([event('a/1'), event('a/2')]), audit.appendNew([event('b/1')]), audit.append([event('poison/1')])]);
    expect(results.map((result) => (result.status === 'rejected' ? (result.reason as Error).message : result.status))).toEqual([
      'refused by the test',
      'refused by the test',
      'refused by the test',
    ]);
    expect(transactions.transactions).toHaveLength(2);
    expect(await storedIds()).toEqual(['before/1']);
    expect(await audit.appendNew([event('a/1'), event('b/1')])).toEqual([event('a/1'), event('b/1')]);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 3 });
  });

  test("a malformed event fails its own caller before it joins a batch, not the others'", async () => {
    const bad = event('bad/2', { size: 1n } as unknown as JsonObject);
    const results = await Promise.allSettled([audit.append([event('a/1')]), audit.append([event('bad/1'), bad]), audit.append([event('c/1')])]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = results[1]?.status === 'rejected' ? results[1].reason : undefined;
    expect(refused).toBeInstanceOf(InvalidAuditEventError);
    expect(refused).toMatchObject({ code: 'invalid_audit_event', eventId: 'bad/2' });
    expect(transactions.transactions).toEqual([['a/1', 'c/1']]);
    expect(await storedIds()).toEqual(['a/1', 'c/1']);
  });

  test('an append with no events needs no transaction', async () => {
    expect(await audit.append([])).toBe(0);
    expect(await audit.store.append([], () => ({}) as AuditRow)).toBe(0);
    expect(transactions.transactions).toEqual([]);
  });

  test('closing lets queued appends commit first', async () => {
    const pending = audit.append([event('late/1')]);
    await audit.close();
    closed = true;
    expect(await pending).toBe(1);
    const reopened = new AuditLog(new SqliteAuditStore(file));
    try {
      expect(await reopened.verify()).toMatchObject({ ok: true, checked: 1 });
    } finally {
      await reopened.close();
    }
  });
});
