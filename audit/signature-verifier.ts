import {
  cancelStatement,
  decideStatement,
  proofProblem,
  startStatement,
  type IdentityProof,
  type IdentityStatement,
  type ProofProblem,
  type TrustedKey,
} from '../domain/identity-proof';
import { nativeSignatureCheck } from '../config/native-signature-check';
import { AuditEventKind } from '../domain/audit-events';
import type { JsonObject } from '../domain/types';
import type { AuditRow } from './chain';

/** One event whose identity proof does not hold. */
export interface SignatureFailure {
  seq: number;
  kind: string;
  actor: string;
  code: ProofProblem['code'];
  message: string;
}

export interface SignatureReport {
  ok: boolean;
  /** Requests, votes and cancels seen. */
  checked: number;
  /** Of those, how many carried a proof that verifies. */
  verified: number;
  /** Events without a proof recorded before `allowUnsignedBeforeSeq` (before signed identities existed). */
  legacyUnsigned: number;
  /** Every other event that fails: a bad or unknown signature, or no proof where one is required. */
  failed: number;
  /** The first failures, in chain order. */
  failures: SignatureFailure[];
}

const REPORTED_FAILURES = 20;

/**
 * Checks the identity proof of every request, vote and cancel on the trail against the API's public
 * keys: proof that each decision came through Airlock's identity layer, without trusting Temporal
 * or the database (whoever can rewrite rows can re-hash the chain, but cannot sign). Each statement
 * is rebuilt from the stored event, so any change to who, what or which action breaks it.
 */
export class SignatureVerifier {
  private checked = 0;
  private verified = 0;
  private legacyUnsigned = 0;
  private failed = 0;
  private readonly failures: SignatureFailure[] = [];

  constructor(
    private readonly keys: readonly TrustedKey[],
    /** Unsigned events before this seq are tolerated (counted, not failed): a trail that predates signing. */
    private readonly allowUnsignedBeforeSeq = 0,
  ) {}

  push(row: AuditRow): void {
    const signed = signedStatement(row);
    if (!signed) return;
    this.checked += 1;
    const { proof, statement, at } = signed;
    if (!proof && row.seq < this.allowUnsignedBeforeSeq) {
      this.legacyUnsigned += 1;
      return;
    }
    let problem: ProofProblem | undefined;
    try {
      problem = proofProblem(proof, statement(), this.keys, at, nativeSignatureCheck);
    } catch {
      problem = { code: 'malformed', message: 'the event is too malformed to rebuild what was signed' };
    }
    if (!problem) {
      this.verified += 1;
      return;
    }
    this.failed += 1;
    if (this.failures.length < REPORTED_FAILURES)
      this.failures.push({ seq: row.seq, kind: row.kind, actor: row.actor, code: problem.code, message: problem.message });
  }

  report(): SignatureReport {
    return {
      ok: this.failed === 0,
      checked: this.checked,
      verified: this.verified,
      legacyUnsigned: this.legacyUnsigned,
      failed: this.failed,
      failures: [...this.failures],
    };
  }
}

interface SignedEvent {
  proof: IdentityProof | undefined;
  statement: () => IdentityStatement;
  /** The time the proof's age is checked at: when the workflow recorded it (votes, cancels). */
  at?: number;
}

/** What the event's proof must have signed, rebuilt from the stored event; undefined for kinds that carry none. */
function signedStatement(row: AuditRow): SignedEvent | undefined {
  if (row.kind !== AuditEventKind.RequestReceived && row.kind !== AuditEventKind.VoteRecorded && row.kind !== AuditEventKind.ActionCancelled) return undefined;
  const data = JSON.parse(row.dataJson) as JsonObject;
  const proof = data.proof as IdentityProof | undefined;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  if (row.kind === AuditEventKind.RequestReceived) {
    // The workflow checked the start's age against its start time, which the trail does not hold.
    return {
      proof,
      statement: () =>
        startStatement({
          actionId: row.actionId,
          action: String(data.action),
          params: data.params,
          justification: String(data.justification),
          requester: { id: row.actor, source: String(data.source) },
          context: data.context,
          ...(text(data.callbackUrl) ? { callbackUrl: text(data.callbackUrl) } : {}),
          origin: data.origin,
          requestedAt: String(data.requestedAt),
        }),
    };
  }
  const at = Date.parse(row.occurredAt);
  const updateId = String(data.updateId);
  if (row.kind === AuditEventKind.VoteRecorded) {
    const comment = text(data.comment);
    return {
      proof,
      at,
      statement: () =>
        decideStatement(row.actionId, updateId, {
          reviewer: row.actor,
          verdict: String(data.verdict),
          channel: String(data.channel),
          ...(comment !== undefined ? { comment } : {}),
          ...(data.authentication !== undefined ? { authentication: data.authentication } : {}),
        }),
    };
  }
  const reason = text(data.reason);
  return { proof, at, statement: () => cancelStatement(row.actionId, updateId, { by: row.actor, ...(reason !== undefined ? { reason } : {}) }) };
}
