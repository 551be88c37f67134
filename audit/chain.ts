import { createHash } from 'node:crypto';
import type { AuditEventInput } from '../domain/audit-events';
import { canonicalJson } from '../domain/canonical-json';
import type { SignatureReport } from './signature-verifier';

/** The `prevHash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** One audit event as stored: the event, its place in the chain and the hashes that seal it. */
export interface AuditRow {
  /** 1, 2, 3, … with no gaps: a missing number is a deleted event. */
  seq: number;
  eventId: string;
  kind: string;
  actionId: string;
  actor: string;
  occurredAt: string;
  /** ISO timestamp of when the store wrote it. */
  recordedAt: string;
  /** The event's data as canonical JSON: hashed as stored, byte for byte. */
  dataJson: string;
  prevHash: string;
  hash: string;
}

/** The last stored event: the next one links to it. */
export type ChainHead = Pick<AuditRow, 'seq' | 'hash'>;

/**
 * sha256 (hex) over the previous hash and every stored field, as a JSON array of strings and
 * numbers: unambiguous, and easy to recompute with any language's JSON and sha256 (docs/audit.md).
 */
export function linkHash(row: Omit<AuditRow, 'hash'>): string {
  const fields = [row.prevHash, row.seq, row.eventId, row.kind, row.actionId, row.actor, row.occurredAt, row.recordedAt, row.dataJson];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

/** The row that follows `head` in the chain (the first row when there is no head). */
export function sealEvent(event: AuditEventInput, head: ChainHead | undefined, recordedAt: string): AuditRow {
  const unsealed = {
    seq: (head?.seq ?? 0) + 1,
    eventId: event.eventId,
    kind: event.kind,
    actionId: event.actionId,
    actor: event.actor,
    occurredAt: event.occurredAt,
    recordedAt,
    dataJson: canonicalJson(event.data),
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  return { ...unsealed, hash: linkHash(unsealed) };
}

/** Why the chain is broken at a row. */
export type ChainBreakReason = 'missing' | 'prev_hash_mismatch' | 'hash_mismatch';

export interface ChainBreak {
  /** The first row that cannot be trusted. */
  seq: number;
  reason: ChainBreakReason;
  message: string;
}

export interface VerifyReport {
  /** The chain is whole and, when they were checked, every identity proof holds. */
  ok: boolean;
  /** Rows checked before the first break (all rows when ok). */
  checked: number;
  /** The last row that links correctly: record it elsewhere to detect a truncated tail later. */
  head: ChainHead | null;
  firstBreak?: ChainBreak;
  /** Present when identity proofs were checked (audit/signature-verifier.ts). */
  signatures?: SignatureReport;
}

/**
 * Walks rows in `seq` order and finds the first broken link: a missing row (deleted), a row
 * whose `prevHash` is not its predecessor's hash (inserted, reordered, or a predecessor re-sealed),
 * or a row whose content no longer matches its own hash (edited).
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private head: ChainHead | null = null;
  private broken: ChainBreak | undefined;

  /** Checks the next row; returns the break once found (and keeps returning it). */
  push(row: AuditRow): ChainBreak | undefined {
    if (this.broken) return this.broken;
    if (row.seq !== this.expectedSeq) {
      const missing = row.seq > this.expectedSeq;
      this.broken = {
        seq: this.expectedSeq,
        reason: 'missing',
        message: missing
          ? `event ${this.expectedSeq} is missing (the next stored event is ${row.seq})`
          : `event ${row.seq} appears out of order where ${this.expectedSeq} was expected`,
      };
    } else if (row.prevHash !== this.prevHash) {
      this.broken = {
        seq: row.seq,
        reason: 'prev_hash_mismatch',
        message: `event ${row.seq} does not link to event ${row.seq - 1}: prevHash ${row.prevHash} != ${this.prevHash}`,
      };
    } else if (linkHash(row) !== row.hash) {
      this.broken = { seq: row.seq, reason: 'hash_mismatch', message: `event ${row.seq} was altered: its content no longer matches its hash` };
    } else {
      this.expectedSeq += 1;
      this.prevHash = row.hash;
      this.head = { seq: row.seq, hash: row.hash };
    }
    return this.broken;
  }

  report(): VerifyReport {
    return {
      ok: this.broken === undefined,
      checked: this.expectedSeq - 1,
      head: this.head,
      ...(this.broken ? { firstBreak: this.broken } : {}),
    };
  }
}
