import type { AuditEventInput } from '../domain/audit-events';
import { canonicalJson } from '../domain/canonical-json';

/** An event the store could not seal or store: a bug in its writer, which retrying cannot fix. */
export class InvalidAuditEventError extends Error {
  override readonly name = 'InvalidAuditEventError';
  readonly code = 'invalid_audit_event';

  constructor(
    readonly eventId: unknown,
    readonly reason: string,
  ) {
    super(`audit event ${typeof eventId === 'string' ? eventId : '(no id)'} cannot be stored: ${reason}`);
  }
}

const TEXT_FIELDS = ['eventId', 'kind', 'actionId', 'actor', 'occurredAt'] as const;

/**
 * Refuses what sealing or either store would refuse mid-transaction: a field that is not text, a
 * NUL character (PostgreSQL's text rejects it; SQLite is held to the same rule), data that is not a
 * JSON object canonicalJson can write (a BigInt, a cycle). Checked per caller before its events
 * join a group commit, so one writer's bug fails its own call and never a batch shared with others.
 */
export function checkAuditEvents(events: readonly AuditEventInput[]): void {
  for (const event of events) {
    for (const field of TEXT_FIELDS) {
      const value: unknown = event[field];
      if (typeof value !== 'string') throw new InvalidAuditEventError(event.eventId, `${field} is not a string`);
      if (value.includes('\u0000')) throw new InvalidAuditEventError(event.eventId, `${field} contains a NUL character`);
    }
    const data: unknown = event.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InvalidAuditEventError(event.eventId, 'data is not a JSON object');
    try {
      canonicalJson(data);
    } catch (err) {
      throw new InvalidAuditEventError(event.eventId, `data is not JSON: ${(err as Error).message}`);
    }
  }
}
