import { randomUUID, sign } from 'node:crypto';
import type { IdentitySigningKey } from '../config/identity-keys';
import {
  cancelStatement,
  decideStatement,
  proofMessage,
  startStatement,
  type IdentityProof,
  type IdentityStatement,
  type SignedRequestFields,
  type TrustedKey,
} from '../domain/identity-proof';
import type { CancelInput, DecideInput } from '../domain/types';

/**
 * The API's half of signed identities: every start, vote and cancel it hands to Temporal carries
 * its signature over who the API (or the Slack or Teams handler in it) authenticated, bound to the
 * action and, for Updates, to the Update's id. Workers verify with the public key only.
 */
export class IdentitySigner {
  constructor(
    private readonly key: IdentitySigningKey,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  get keyId(): string {
    return this.key.id;
  }

  /** The public half, as verifiers list it. */
  trustedKey(): TrustedKey {
    return { id: this.key.id, publicKeyHex: this.key.publicKeyHex };
  }

  /** The request's own receipt time is the proof's time: one clock reading for both. */
  signStart(request: SignedRequestFields): IdentityProof {
    return this.prove(startStatement(request), request.requestedAt);
  }

  signDecision(actionId: string, updateId: string, decision: DecideInput): IdentityProof {
    return this.prove(decideStatement(actionId, updateId, decision), this.clock().toISOString());
  }

  signCancel(actionId: string, updateId: string, cancel: CancelInput): IdentityProof {
    return this.prove(cancelStatement(actionId, updateId, cancel), this.clock().toISOString());
  }

  private prove(statement: IdentityStatement, issuedAt: string): IdentityProof {
    const signature = sign(null, proofMessage(statement, issuedAt), this.key.privateKey).toString('hex');
    return { keyId: this.key.id, issuedAt, signature };
  }
}

/** An Update id for a call that brought none: a signed proof is bound to exactly one Update. */
export function freshUpdateId(prefix: string): string {
  return `${prefix}:${randomUUID()}`;
}
