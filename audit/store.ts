import type { AuditEventInput } from '../domain/audit-events';
import type { AuditRow, ChainHead } from './chain';

/** Which events to read. Times compare against `occurredAt` (ISO strings in UTC sort as time). */
export interface AuditFilter {
  /** Inclusive. */
  from?: string;
  /** Exclusive. */
  to?: string;
  actionId?: string;
  actor?: string;
}

/**
 * Builds the row for an event from the current chain head (pure; called inside the store's lock).
 * A store calls it once for each event it is about to store and for no other, in the transaction
 * that stores them (`AuditLog.appendNew` and GroupCommitStore rely on this).
 */
export type SealEvent = (event: AuditEventInput, head: ChainHead | undefined) => AuditRow;

/**
 * The small interface both stores (embedded SQLite, PostgreSQL) implement, with the same schema
 * (`createTableSql` and `INDEXES` in sql.ts, plus triggers that refuse UPDATE and DELETE):
 * everything else (hashing, verifying, exporting) is one code path above it (AuditLog).
 */
export interface AuditStore {
  /** `sqlite` or `postgres`, for logs and reports. */
  readonly kind: string;
  /**
   * Appends the events in order in one transaction, serialized against every other writer in any
   * process, skipping events whose id is already stored or came earlier in `events`. Returns how many were new.
   */
  append(events: AuditEventInput[], seal: SealEvent): Promise<number>;
  /** Up to `limit` rows matching the filter with `seq > afterSeq`, in `seq` order. */
  page(filter: AuditFilter, afterSeq: number, limit: number): Promise<AuditRow[]>;
  close(): Promise<void>;
}
