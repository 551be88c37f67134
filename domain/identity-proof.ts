/**
 * Signed identities: what the edge that authenticated a caller (the API, for itself and for the
 * Slack and Teams handlers it hosts) asserts about a start, a vote or a cancel, and how anyone
 * holding the public keys checks it. Temporal access is wider than reviewer identity, so the
 * workflow trusts an identity only with a valid proof; the audit trail keeps the proofs, so votes
 * can be checked later without trusting Temporal or the database.
 *
 * Pure and deterministic (no Node APIs): bundled into the workflow sandbox, used by the worker,
 * the API and `audit:verify` alike, so all of them read the same canonical statement.
 */
import { canonicalJson } from './canonical-json';
import { bytesToHex, ed25519, hexToBytes, sha256, utf8ToBytes } from './noble';

/** The signature an authenticating edge attaches to an identity-carrying input. */
export interface IdentityProof {
  /** Which signing key made it; workers trust a set of public keys by id (rotation). */
  keyId: string;
  /** When the edge authenticated the caller (ISO 8601, UTC). Stale proofs are refused. */
  issuedAt: string;
  /** Ed25519 over `proofMessage(statement, issuedAt)`, hex. */
  signature: string;
}

/** A public key a verifier trusts: 32 bytes, hex. */
export interface TrustedKey {
  id: string;
  publicKeyHex: string;
}

/** The request fields a start proof covers: everything the workflow acts on. */
export interface SignedRequestFields {
  actionId: string;
  action: string;
  params: unknown;
  /** The params as the audit trail records them, when some are kept only as a digest: then the proof signs these. */
  auditParams?: unknown;
  justification: string;
  requester: { id: string; source: string };
  context?: unknown;
  callbackUrl?: string | undefined;
  origin?: unknown;
  requestedAt: string;
}

/** What a proof says, one shape per input kind; each binds to one action and, for Updates, one Update id. */
export type IdentityStatement =
  | { kind: 'start'; actionId: string; requester: string; requestSha256: string }
  | {
      kind: 'decide';
      actionId: string;
      updateId: string;
      reviewer: string;
      verdict: string;
      channel: string;
      /** sha256 hex of the comment; null when there is none. */
      commentSha256: string | null;
      /**
       * sha256 hex of the canonical JSON of the vote's sign-in (issuer, subject, auth_time, acr, amr,
       * IdP groups), for votes cast in the console; absent otherwise, so earlier proofs still verify.
       */
      authenticationSha256?: string;
    }
  | {
      kind: 'cancel';
      actionId: string;
      updateId: string;
      by: string;
      /** sha256 hex of the reason; null when there is none. */
      reasonSha256: string | null;
    };

/** Separates these signatures from anything else the same key could ever sign. */
const DOMAIN = 'airlock-identity-proof/v1\n';

/** How far a proof's `issuedAt` may lie before the verifier's clock (votes wait in Temporal while no worker runs). */
export const PROOF_MAX_AGE_MS = 10 * 60_000;
/** How far it may lie after it (clock skew between the API's host and Temporal's). */
export const PROOF_MAX_SKEW_MS = 2 * 60_000;

/** The exact bytes signed: a domain tag, then the statement and the time as canonical JSON. */
export function proofMessage(statement: IdentityStatement, issuedAt: string): Uint8Array {
  return utf8ToBytes(DOMAIN + canonicalJson({ ...statement, issuedAt }));
}

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** sha256 hex of optional text; null when absent, so "no comment" and "empty comment" differ. */
export function optionalDigest(text: string | undefined): string | null {
  return text === undefined ? null : sha256Hex(text);
}

/**
 * The statement a start proof signs: the whole request, by digest of its canonical JSON, with the
 * params in their audit form (redacted ones as digests) so the trail alone can verify it.
 */
export function startStatement(request: SignedRequestFields): IdentityStatement {
  const fields = {
    actionId: request.actionId,
    action: request.action,
    params: request.auditParams ?? request.params,
    justification: request.justification,
    requester: { id: request.requester.id, source: request.requester.source },
    context: request.context ?? null,
    callbackUrl: request.callbackUrl ?? null,
    origin: request.origin ?? null,
    requestedAt: request.requestedAt,
  };
  return { kind: 'start', actionId: request.actionId, requester: request.requester.id, requestSha256: sha256Hex(canonicalJson(fields)) };
}

export function decideStatement(
  actionId: string,
  updateId: string,
  decision: { reviewer: string; verdict: string; channel: string; comment?: string; authentication?: unknown },
): IdentityStatement {
  return {
    kind: 'decide',
    actionId,
    updateId,
    reviewer: decision.reviewer,
    verdict: decision.verdict,
    channel: decision.channel,
    commentSha256: optionalDigest(decision.comment),
    // The sign-in is signed with the vote: its IdP groups decide eligibility and its auth_time a step-up.
    ...(decision.authentication !== undefined ? { authenticationSha256: sha256Hex(canonicalJson(decision.authentication)) } : {}),
  };
}

export function cancelStatement(actionId: string, updateId: string, cancel: { by: string; reason?: string }): IdentityStatement {
  return { kind: 'cancel', actionId, updateId, by: cancel.by, reasonSha256: optionalDigest(cancel.reason) };
}

/** Why a proof was not accepted; the message says it for people. */
export type ProofProblem = { code: 'unsigned' | 'unknown_key' | 'bad_signature' | 'stale' | 'malformed'; message: string };

/**
 * Checks a proof against the statement the verifier built from what it is about to act on, and
 * (when `now` is given) its age. Returns the problem, or undefined when the proof holds. Never
 * throws on hostile input: anything malformed is a problem like any other.
 */
export function proofProblem(
  proof: IdentityProof | undefined,
  statement: IdentityStatement,
  keys: readonly TrustedKey[],
  now?: number,
  check: SignatureCheck = nobleSignatureCheck,
): ProofProblem | undefined {
  if (!proof || typeof proof !== 'object') return { code: 'unsigned', message: 'the input carries no identity proof' };
  const { keyId, issuedAt, signature } = proof;
  if (typeof keyId !== 'string' || typeof issuedAt !== 'string' || typeof signature !== 'string') {
    return { code: 'malformed', message: 'the identity proof is malformed' };
  }
  const key = keys.find((candidate) => candidate.id === keyId);
  if (!key) return { code: 'unknown_key', message: `the identity proof is signed with key ${JSON.stringify(keyId.slice(0, 64))}, which is not trusted` };
  const issued = Date.parse(issuedAt);
  if (!/^[0-9a-f]{128}$/.test(signature) || Number.isNaN(issued)) return { code: 'malformed', message: 'the identity proof is malformed' };
  if (!check(signature, proofMessage(statement, issuedAt), key.publicKeyHex)) {
    return { code: 'bad_signature', message: 'the identity proof does not match this input (wrong key, or signed for another action, update or content)' };
  }
  if (now !== undefined && (issued < now - PROOF_MAX_AGE_MS || issued > now + PROOF_MAX_SKEW_MS)) {
    return { code: 'stale', message: `the identity proof was issued at ${issuedAt}, outside the accepted window` };
  }
  return undefined;
}

/**
 * Whether an Ed25519 signature (hex) over `message` holds for a raw public key (hex). Never throws.
 * Strict RFC 8032 (not ZIP-215), as OpenSSL and Node verify: one answer whichever side checks.
 */
export type SignatureCheck = (signatureHex: string, message: Uint8Array, publicKeyHex: string) => boolean;

/**
 * The pure-JS check, the one the workflow sandbox can run (no I/O, deterministic). Outside it,
 * Node's own is much cheaper (config/native-signature-check.ts).
 */
export function nobleSignatureCheck(signatureHex: string, message: Uint8Array, publicKeyHex: string): boolean {
  try {
    return ed25519.verify(hexToBytes(signatureHex), message, hexToBytes(publicKeyHex), { zip215: false });
  } catch {
    return false; // a malformed key or signature encoding
  }
}
