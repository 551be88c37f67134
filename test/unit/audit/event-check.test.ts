import { checkAuditEvents, InvalidAuditEventError } from '../../../audit/event-check';
import { AuditEventKind, type AuditEventInput } from '../../../domain/audit-events';
import type { JsonObject } from '../../../domain/types';

const valid: AuditEventInput = {
  eventId: 'act-1/run/1',
  kind: AuditEventKind.VoteRecorded,
  actionId: 'act-1',
  actor: 'bob',
  occurredAt: '2026-11-22T10:00:00.000Z',
  data: { comment: 'a NUL in data is escaped by JSON: \u0000', nested: [1, { b: null }] },
};

const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;

/** What sealing or a store would refuse mid-transaction is refused up front, by the event's id. */
describe('checkAuditEvents', () => {
  test('accepts well-formed events', () => {
    expect(() => checkAuditEvents([valid, { ...valid, eventId: 'act-1/run/2', data: {} }])).not.toThrow();
  });

  test.each<[string, Partial<Record<keyof AuditEventInput, unknown>>, RegExp]>([
    ['a missing actor', { actor: undefined }, /actor is not a string/],
    ['a numeric occurredAt', { occurredAt: 1_763_805_600_000 }, /occurredAt is not a string/],
    ['a NUL in the event id', { eventId: 'act-1/\u0000' }, /eventId contains a NUL character/],
    ['data that is an array', { data: [1] }, /data is not a JSON object/],
    ['data that is null', { data: null }, /data is not a JSON object/],
    ['a BigInt in data', { data: { size: 1n } }, /data is not JSON: .*BigInt/],
    ['a cycle in data', { data: cyclic }, /data is not JSON/],
  ])('refuses %s', (_, change, message) => {
    const bad = { ...valid, ...change } as AuditEventInput;
    let thrown: unknown;
    try {
      checkAuditEvents([valid, bad]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidAuditEventError);
    expect((thrown as InvalidAuditEventError).message).toMatch(message);
    expect(thrown).toMatchObject({ name: 'InvalidAuditEventError', code: 'invalid_audit_event' });
  });

  test('names the event by its id when it has one', () => {
    expect(() => checkAuditEvents([{ ...valid, data: [] as unknown as JsonObject }])).toThrow(
      'audit event act-1/run/1 cannot be stored: data is not a JSON object',
    );
  });
});
