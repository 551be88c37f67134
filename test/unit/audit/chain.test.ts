import { createHash } from 'node:crypto';
import { ChainVerifier, GENESIS_HASH, linkHash, sealEvent, type AuditRow } from '../../../audit/chain';
import { canonicalJson } from '../../../domain/canonical-json';
import { AuditEventKind, type AuditEventInput } from '../../../domain/audit-events';

function event(n: number, data: AuditEventInput['data'] = { n }): AuditEventInput {
  return {
    eventId: `act-1/run/${n}`,
    kind: AuditEventKind.VoteRecorded,
    actionId: 'act-1',
    actor: `reviewer-${n}`,
    occurredAt: `2026-11-22T10:00:0${n % 10}.000Z`,
    data,
  };
}

function chainOf(count: number): AuditRow[] {
  const rows: AuditRow[] = [];
  for (let n = 1; n <= count; n += 1) rows.push(sealEvent(event(n), rows[rows.length - 1], '2026-11-22T10:00:10.000Z'));
  return rows;
}

function verify(rows: AuditRow[]) {
  const verifier = new ChainVerifier();
  for (const row of rows) verifier.push(row);
  return verifier.report();
}

describe('sealEvent', () => {
  test('the first event links to the genesis hash and later ones to their predecessor', () => {
    const rows = chainOf(3);
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3]);
    expect(rows[0]?.prevHash).toBe(GENESIS_HASH);
    expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
    expect(rows[2]?.prevHash).toBe(rows[1]?.hash);
  });

  test('the hash is sha256 of the documented field array, so anyone can recompute it', () => {
    const [row] = chainOf(1);
    if (!row) throw new Error('no row');
    const fields = [row.prevHash, row.seq, row.eventId, row.kind, row.actionId, row.actor, row.occurredAt, row.recordedAt, row.dataJson];
    expect(row.hash).toBe(createHash('sha256').update(JSON.stringify(fields)).digest('hex'));
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('data is stored as canonical JSON: key order does not change the hash', () => {
    const a = sealEvent(event(1, { b: 1, a: { d: [1, { f: 2, e: 3 }], c: 'x' } }), undefined, 't');
    const b = sealEvent(event(1, { a: { c: 'x', d: [1, { e: 3, f: 2 }] }, b: 1 }), undefined, 't');
    expect(a.dataJson).toBe('{"a":{"c":"x","d":[1,{"e":3,"f":2}]},"b":1}');
    expect(a.hash).toBe(b.hash);
  });

  test('every field is covered by the hash', () => {
    const [row] = chainOf(1);
    if (!row) throw new Error('no row');
    const changes: Partial<AuditRow>[] = [
      { seq: 2 },
      { eventId: 'other' },
      { kind: 'action.approved' },
      { actionId: 'act-2' },
      { actor: 'mallory' },
      { occurredAt: '2027-01-01T00:00:00.000Z' },
      { recordedAt: '2027-01-01T00:00:00.000Z' },
      { dataJson: '{"n":2}' },
      { prevHash: 'f'.repeat(64) },
    ];
    for (const change of changes) expect(linkHash({ ...row, ...change })).not.toBe(row.hash);
  });
});

describe('ChainVerifier', () => {
  test('an intact chain verifies, with its head', () => {
    const rows = chainOf(5);
    expect(verify(rows)).toEqual({ ok: true, checked: 5, head: { seq: 5, hash: rows[4]?.hash } });
  });

  test('an empty chain verifies with no head', () => {
    expect(verify([])).toEqual({ ok: true, checked: 0, head: null });
  });

  test('an edited row breaks the chain at that row', () => {
    const rows = chainOf(5);
    rows[2] = { ...(rows[2] as AuditRow), dataJson: '{"n":99}' };
    expect(verify(rows)).toMatchObject({ ok: false, checked: 2, head: { seq: 2 }, firstBreak: { seq: 3, reason: 'hash_mismatch' } });
  });

  test('a deleted row breaks the chain at the missing sequence number', () => {
    const rows = chainOf(5);
    rows.splice(3, 1);
    expect(verify(rows)).toMatchObject({ ok: false, checked: 3, firstBreak: { seq: 4, reason: 'missing' } });
  });

  test('a deleted first row is found too', () => {
    expect(verify(chainOf(3).slice(1))).toMatchObject({ ok: false, checked: 0, head: null, firstBreak: { seq: 1, reason: 'missing' } });
  });

  test('an edited row re-sealed with a fresh hash breaks the link to the next row', () => {
    const rows = chainOf(4);
    const edited = { ...(rows[1] as AuditRow), actor: 'mallory' };
    rows[1] = { ...edited, hash: linkHash(edited) };
    expect(verify(rows)).toMatchObject({ ok: false, firstBreak: { seq: 3, reason: 'prev_hash_mismatch' } });
  });

  test('a whole chain rewritten from an edited row verifies: why the head must be kept elsewhere', () => {
    const rows = chainOf(3);
    const forged: AuditRow[] = [rows[0] as AuditRow];
    for (const row of rows.slice(1)) forged.push(sealEvent({ ...event(row.seq), actor: 'mallory' }, forged[forged.length - 1], row.recordedAt));
    const report = verify(forged);
    expect(report.ok).toBe(true);
    expect(report.head?.hash).not.toBe(rows[2]?.hash); // a recorded head exposes the rewrite
  });
});

describe('canonicalJson', () => {
  test('sorts keys at every depth, keeps array order, drops undefined members', () => {
    expect(canonicalJson({ z: [3, 1, { y: 1, x: undefined }], a: null, m: 'é' })).toBe('{"a":null,"m":"é","z":[3,1,{"y":1}]}');
  });
});
