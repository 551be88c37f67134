import fc from 'fast-check';
import { IdentitySigner } from '../../../api/identity-signer';
import { newIdentityKeyPair, parseSigningKey, parseVerifyKeys } from '../../../config/identity-keys';
import { nativeSignatureCheck } from '../../../config/native-signature-check';
import { nobleSignatureCheck, proofMessage, proofProblem, startStatement, type SignedRequestFields } from '../../../domain/identity-proof';

const pair = newIdentityKeyPair('k1');
const [key] = parseVerifyKeys(pair.verify, 'test');
const other = parseVerifyKeys(newIdentityKeyPair('k2').verify, 'test')[0];
const NOW = Date.parse('2026-12-04T12:00:00.000Z');
const signer = new IdentitySigner(parseSigningKey(pair.signing, 'test'), () => new Date(NOW));
const request: SignedRequestFields = {
  actionId: 'action-bench.noop-aaaaaaaaaaaaaaaa',
  action: 'bench.noop',
  params: { run: 'x' },
  justification: 'both checks must agree',
  requester: { id: 'etl-bot', source: 'api' },
  requestedAt: new Date(NOW).toISOString(),
};
const proof = signer.signStart(request);
const message = proofMessage(startStatement(request), proof.issuedAt);

/** Ed25519's group order L, little-endian: S + L is the same signature, non-canonical. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function withS(signatureHex: string, s: bigint): string {
  const bytes = Buffer.alloc(32);
  for (let i = 0; i < 32; i += 1) bytes[i] = Number((s >> BigInt(8 * i)) & 0xffn);
  return signatureHex.slice(0, 64) + bytes.toString('hex');
}

function sOf(signatureHex: string): bigint {
  const bytes = Buffer.from(signatureHex.slice(64), 'hex');
  let s = 0n;
  for (let i = 31; i >= 0; i -= 1) s = (s << 8n) | BigInt(bytes[i] ?? 0);
  return s;
}

/**
 * The worker checks a start's proof with Node's Ed25519 (the admission activity) and a vote's with
 * the pure-JS one (in the workflow sandbox); the audit chain's check uses Node's. Both must give
 * one answer for every input, or a proof could pass one side and fail the other.
 */
describe('the native and pure-JS signature checks', () => {
  if (!key || !other) throw new Error('test keys missing');

  it('accept the same valid signature and refuse it under another key', () => {
    expect(nativeSignatureCheck(proof.signature, message, key.publicKeyHex)).toBe(true);
    expect(nobleSignatureCheck(proof.signature, message, key.publicKeyHex)).toBe(true);
    expect(nativeSignatureCheck(proof.signature, message, other.publicKeyHex)).toBe(false);
    expect(nobleSignatureCheck(proof.signature, message, other.publicKeyHex)).toBe(false);
    expect(proofProblem(proof, startStatement(request), [key], NOW, nativeSignatureCheck)).toBeUndefined();
  });

  it('both refuse a non-canonical S (S + L), as strict RFC 8032 asks', () => {
    const malleable = withS(proof.signature, sOf(proof.signature) + L);
    expect(nativeSignatureCheck(malleable, message, key.publicKeyHex)).toBe(false);
    expect(nobleSignatureCheck(malleable, message, key.publicKeyHex)).toBe(false);
  });

  it('agree on every changed signature, message or key byte (property)', () => {
    const hex = fc.integer({ min: 0, max: 15 }).map((n) => n.toString(16));
    const mutate = (text: string, position: number, digit: string): string => `${text.slice(0, position)}${digit}${text.slice(position + 1)}`;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 127 }),
        hex,
        fc.integer({ min: 0, max: 63 }),
        hex,
        fc.boolean(),
        (sigAt, sigDigit, keyAt, keyDigit, changeMessage) => {
          const signature = mutate(proof.signature, sigAt, sigDigit);
          const publicKeyHex = mutate(key.publicKeyHex, keyAt, keyDigit);
          const text = changeMessage ? Uint8Array.from([...message.slice(0, -1), (message.at(-1) ?? 0) ^ 1]) : message;
          return nativeSignatureCheck(signature, text, publicKeyHex) === nobleSignatureCheck(signature, text, publicKeyHex);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('both answer false, never throw, for malformed hex', () => {
    for (const signature of ['', 'zz', proof.signature.slice(0, 126)]) {
      expect(nativeSignatureCheck(signature, message, key.publicKeyHex)).toBe(false);
      expect(nobleSignatureCheck(signature, message, key.publicKeyHex)).toBe(false);
    }
  });
});
