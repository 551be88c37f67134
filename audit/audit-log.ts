import type { AuditEventInput } from '../domain/audit-events';
import type { JsonObject } from '../domain/types';
import type { TrustedKey } from '../domain/identity-proof';
import { ChainVerifier, sealEvent, type AuditRow, type VerifyReport } from './chain';
import { checkAuditEvents } from './event-check';
import { SignatureVerifier } from './signature-verifier';

/** What `verify` needs to check identity proofs too. */
export interface SignatureOptions {
  /** The API's public keys, current and retired; without them only the chain is checked. */
  identityKeys?: readonly TrustedKey[] | undefined;
  /** Events without a proof before this seq were recorded before signed identities, and are tolerated. */
  allowUnsignedBeforeSeq?: number | undefined;
}
import type { AuditFilter, AuditStore } from './store';

/** One audit event as readers get it: the stored row with its data parsed. */
export type AuditRecord = Omit<AuditRow, 'dataJson'> & { data: JsonObject };

/** Rows per query when reading: memory stays flat however many events match. */
export const AUDIT_PAGE_SIZE = 500;

/** An action's lineage is tens of events; this bound only stops a runaway response. */
const LINEAGE_LIMIT = 10_000;

/**
 * The audit trail over either store: append (sealing each event onto the chain), read in order
 * page by page, and verify the chain. The one code path both stores share.
 */
export class AuditLog {
  constructor(
    readonly store: AuditStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Appends events in order; events already stored (same id) are skipped. Returns how many were new.
   * A malformed event fails this call alone, before anything is written (InvalidAuditEventError).
   */
  async append(events: AuditEventInput[]): Promise<number> {
    if (events.length === 0) return 0;
    checkAuditEvents(events);
    // Stamped inside the store's lock, so recordedAt never goes backwards as seq goes up.
    return this.store.append(events, (event, head) => sealEvent(event, head, this.clock().toISOString()));
  }

  /**
   * Like `append`, returning the events this call stored: the ones its committed transaction
   * sealed. Across retries and concurrent writers each event is returned by exactly one call,
   * so metrics can observe an event once however often its write is retried.
   */
  async appendNew(events: AuditEventInput[]): Promise<AuditEventInput[]> {
    const stored: AuditEventInput[] = [];
    if (events.length === 0) return stored;
    checkAuditEvents(events);
    await this.store.append(events, (event, head) => {
      stored.push(event);
      return sealEvent(event, head, this.clock().toISOString());
    });
    return stored;
  }

  /** Stored rows matching the filter, in chain order, fetched a page at a time. */
  async *rows(filter: AuditFilter = {}, pageSize = AUDIT_PAGE_SIZE): AsyncGenerator<AuditRow> {
    let afterSeq = 0;
    for (;;) {
      const page = await this.store.page(filter, afterSeq, pageSize);
      yield* page;
      const last = page[page.length - 1];
      if (!last || page.length < pageSize) return;
      afterSeq = last.seq;
    }
  }

  /** Like `rows`, with each event's data parsed. */
  async *records(filter: AuditFilter = {}, pageSize = AUDIT_PAGE_SIZE): AsyncGenerator<AuditRecord> {
    for await (const row of this.rows(filter, pageSize)) yield toRecord(row);
  }

  /** The whole story of one action, in order. */
  async lineage(actionId: string): Promise<AuditRecord[]> {
    const events: AuditRecord[] = [];
    for await (const record of this.records({ actionId })) {
      events.push(record);
      if (events.length >= LINEAGE_LIMIT) break;
    }
    return events;
  }

  /**
   * Walks the whole chain and reports the first broken link, if any; with `identityKeys`, also
   * checks the identity proof of every request, vote and cancel in the same pass.
   */
  async verify(options: SignatureOptions = {}): Promise<VerifyReport> {
    const verifier = new ChainVerifier();
    const signatures = options.identityKeys ? new SignatureVerifier(options.identityKeys, options.allowUnsignedBeforeSeq) : undefined;
    for await (const row of this.rows()) {
      if (verifier.push(row)) break;
      signatures?.push(row);
    }
    const chain = verifier.report();
    if (!signatures) return chain;
    const signed = signatures.report();
    return { ...chain, ok: chain.ok && signed.ok, signatures: signed };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export function toRecord(row: AuditRow): AuditRecord {
  const { dataJson, ...rest } = row;
  return { ...rest, data: JSON.parse(dataJson) as JsonObject };
}
