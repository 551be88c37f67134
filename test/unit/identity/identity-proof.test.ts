import fc from 'fast-check';
import { IdentitySigner } from '../../../api/identity-signer';
import { newIdentityKeyPair, parseSigningKey, parseVerifyKeys } from '../../../config/identity-keys';
import {
  cancelStatement,
  decideStatement,
  PROOF_MAX_AGE_MS,
  PROOF_MAX_SKEW_MS,
  proofProblem,
  startStatement,
  type IdentityProof,
  type SignedRequestFields,
} from '../../../domain/identity-proof';
import { refuseUnprovenCancel, refuseUnprovenDecision, type ProofScope } from '../../../workflows/identity-checks';
import { ApplicationFailure } from '@temporalio/common';
import type { VoteAuthentication } from '../../../domain/types';

const pair = newIdentityKeyPair('k1');
const keys = parseVerifyKeys(pair.verify, 'test');
const NOW = Date.parse('2026-12-03T12:00:00.000Z');
const signer = new IdentitySigner(parseSigningKey(pair.signing, 'test'), () => new Date(NOW));
const ACTION = 'action-s3.copyObject-aaaaaaaaaaaaaaaa';

const request: SignedRequestFields = {
  actionId: ACTION,
  action: 's3.copyObject',
  params: { sourceBucket: 'a', sourceKey: 'k', destinationBucket: 'b', destinationKey: 'k2' },
  justification: 'report',
  requester: { id: 'etl-bot', source: 'api' },
  requestedAt: new Date(NOW).toISOString(),
};

describe('identity proofs (Ed25519: signed with node:crypto by the API, verified with @noble/curves in the workflow)', () => {
  it('verifies what the API signed, for a start, a vote and a cancel', () => {
    const vote = { reviewer: 'alice', verdict: 'reject', channel: 'slack', comment: 'no' } as const;
    expect(proofProblem(signer.signStart(request), startStatement(request), keys, NOW)).toBeUndefined();
    expect(proofProblem(signer.signDecision(ACTION, 'u1', vote), decideStatement(ACTION, 'u1', vote), keys, NOW)).toBeUndefined();
    expect(proofProblem(signer.signCancel(ACTION, 'u2', { by: 'etl-bot' }), cancelStatement(ACTION, 'u2', { by: 'etl-bot' }), keys, NOW)).toBeUndefined();
  });

  it.each<[string, Partial<SignedRequestFields>]>([
    ['another action id', { actionId: 'action-s3.copyObject-bbbbbbbbbbbbbbbb' }],
    ['another action', { action: 's3.exportPrefix' }],
    ['other params', { params: { sourceBucket: 'a', sourceKey: 'hr/salaries.csv', destinationBucket: 'b', destinationKey: 'k2' } }],
    ['another requester', { requester: { id: 'alice', source: 'api' } }],
    ['another source', { requester: { id: 'etl-bot', source: 'mcp' } }],
    ['another justification', { justification: 'other' }],
    ['a callback added', { callbackUrl: 'https://example.com/hook' }],
    ['a context added', { context: { ticket: 'X-1' } }],
    ['another receipt time', { requestedAt: new Date(NOW + 1).toISOString() }],
  ])('refuses a start proof for a request with %s', (_label, change) => {
    const proof = signer.signStart(request);
    expect(proofProblem(proof, startStatement({ ...request, ...change }), keys, NOW)?.code).toBe('bad_signature');
  });

  it.each<[string, object]>([
    ['another reviewer', { reviewer: 'bob' }],
    ['another verdict', { verdict: 'approve' }],
    ['another channel', { channel: 'teams' }],
    ['another comment', { comment: 'yes' }],
    ['no comment', { comment: undefined }],
  ])('refuses a vote proof carried by a vote with %s', (_label, change) => {
    const vote = { reviewer: 'alice', verdict: 'reject' as const, channel: 'slack', comment: 'no' };
    const proof = signer.signDecision(ACTION, 'u1', vote);
    expect(proofProblem(proof, decideStatement(ACTION, 'u1', { ...vote, ...change }), keys, NOW)?.code).toBe('bad_signature');
  });

  it.each<[string, object | undefined]>([
    ['a later sign-in time (a stale session passed off as fresh)', { authTime: 1_764_849_700 }],
    ['an IdP group added', { idpGroups: ['staff', 'sec-oncall'] }],
    ['another subject', { subject: 'mallory' }],
    ['another acr', { acr: 'urn:mace:incommon:iap:silver' }],
    ['the sign-in removed', undefined],
  ])('refuses a console vote proof carried by a vote with %s', (_label, change) => {
    const authentication: VoteAuthentication = {
      method: 'oidc',
      issuer: 'https://idp.example',
      subject: 'dave',
      authTime: 1_764_849_600,
      acr: 'mfa',
      amr: ['pwd', 'otp'],
      idpGroups: ['staff'],
    };
    const vote = { reviewer: 'dave', verdict: 'approve' as const, channel: 'console', authentication };
    const proof = signer.signDecision(ACTION, 'u1', vote);
    expect(proofProblem(proof, decideStatement(ACTION, 'u1', vote), keys, NOW)).toBeUndefined();
    const altered = change === undefined ? { ...vote, authentication: undefined } : { ...vote, authentication: { ...authentication, ...change } };
    expect(proofProblem(proof, decideStatement(ACTION, 'u1', altered), keys, NOW)?.code).toBe('bad_signature');
  });

  it('signs a vote without a sign-in as before: its statement has no authentication digest', () => {
    expect(decideStatement(ACTION, 'u1', { reviewer: 'alice', verdict: 'approve', channel: 'api' })).not.toHaveProperty('authenticationSha256');
  });

  it('binds a vote to its action and its Update, and a cancel is not a vote', () => {
    const vote = { reviewer: 'alice', verdict: 'approve' as const, channel: 'api' };
    const proof = signer.signDecision(ACTION, 'u1', vote);
    expect(proofProblem(proof, decideStatement('action-s3.copyObject-bbbbbbbbbbbbbbbb', 'u1', vote), keys, NOW)?.code).toBe('bad_signature');
    expect(proofProblem(proof, decideStatement(ACTION, 'u2', vote), keys, NOW)?.code).toBe('bad_signature');
    expect(proofProblem(proof, cancelStatement(ACTION, 'u1', { by: 'alice' }), keys, NOW)?.code).toBe('bad_signature');
  });

  it('refuses no proof, an unknown key id, a key the verifier does not hold, and malformed proofs without throwing', () => {
    const statement = startStatement(request);
    const good = signer.signStart(request);
    const stranger = new IdentitySigner(parseSigningKey(newIdentityKeyPair('k1').signing, 'test'));
    expect(proofProblem(undefined, statement, keys, NOW)?.code).toBe('unsigned');
    expect(proofProblem({ ...good, keyId: 'k2' }, statement, keys, NOW)?.code).toBe('unknown_key');
    // Same key id, other key: an attacker naming a trusted id gains nothing.
    expect(proofProblem(stranger.signStart(request), statement, keys, NOW)?.code).toBe('bad_signature');
    const malformed: unknown[] = [
      null,
      'x',
      { keyId: 'k1' },
      { ...good, signature: 'zz' },
      { ...good, signature: good.signature.slice(2) },
      { ...good, issuedAt: 'yesterday' },
      { ...good, keyId: 7 },
    ];
    for (const proof of malformed) {
      expect(['unsigned', 'malformed']).toContain(proofProblem(proof as IdentityProof, statement, keys, NOW)?.code);
    }
  });

  it('refuses a proof older than the window or too far ahead, and accepts one inside it', () => {
    const vote = { reviewer: 'alice', verdict: 'approve' as const, channel: 'api' };
    const statement = decideStatement(ACTION, 'u1', vote);
    const at = (offset: number) => new IdentitySigner(parseSigningKey(pair.signing, 'test'), () => new Date(NOW + offset)).signDecision(ACTION, 'u1', vote);
    expect(proofProblem(at(-PROOF_MAX_AGE_MS + 1000), statement, keys, NOW)).toBeUndefined();
    expect(proofProblem(at(-PROOF_MAX_AGE_MS - 1000), statement, keys, NOW)?.code).toBe('stale');
    expect(proofProblem(at(PROOF_MAX_SKEW_MS - 1000), statement, keys, NOW)).toBeUndefined();
    expect(proofProblem(at(PROOF_MAX_SKEW_MS + 1000), statement, keys, NOW)?.code).toBe('stale');
  });

  it('a flipped bit anywhere in the signature is refused (property)', () => {
    const proof = signer.signStart(request);
    const statement = startStatement(request);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 127 }), fc.integer({ min: 1, max: 15 }), (position, flip) => {
        const nibble = (parseInt(proof.signature[position] ?? '0', 16) ^ flip).toString(16);
        const signature = `${proof.signature.slice(0, position)}${nibble}${proof.signature.slice(position + 1)}`;
        return proofProblem({ ...proof, signature }, statement, keys, NOW)?.code === 'bad_signature';
      }),
      { numRuns: 60 },
    );
  });
});

describe("the Update validators' identity checks", () => {
  const scope: ProofScope = { workflowId: ACTION, updateId: 'api:alice:1', keys };
  const vote = { reviewer: 'alice', verdict: 'approve' as const, channel: 'api' };
  const refusalType = (check: () => void): string | undefined => {
    try {
      check();
      return undefined;
    } catch (err) {
      expect(err).toBeInstanceOf(ApplicationFailure);
      return (err as ApplicationFailure).type ?? undefined;
    }
  };

  it('admit a vote and a cancel signed for this workflow and this Update', () => {
    expect(refusalType(() => refuseUnprovenDecision({ ...vote, proof: signer.signDecision(ACTION, 'api:alice:1', vote) }, NOW, scope))).toBeUndefined();
    expect(
      refusalType(() => refuseUnprovenCancel({ by: 'root', proof: signer.signCancel(ACTION, 'api:alice:1', { by: 'root' }) }, NOW, scope)),
    ).toBeUndefined();
  });

  it('refuse, with identity_unverified, an unsigned vote, one for another Update, no Update id, and input too malformed to read', () => {
    expect(refusalType(() => refuseUnprovenDecision(vote, NOW, scope))).toBe('identity_unverified');
    expect(refusalType(() => refuseUnprovenDecision({ ...vote, proof: signer.signDecision(ACTION, 'api:alice:2', vote) }, NOW, scope))).toBe(
      'identity_unverified',
    );
    expect(
      refusalType(() => refuseUnprovenDecision({ ...vote, proof: signer.signDecision(ACTION, 'api:alice:1', vote) }, NOW, { ...scope, updateId: undefined })),
    ).toBe('identity_unverified');
    expect(refusalType(() => refuseUnprovenDecision({ ...vote, comment: 42 } as never, NOW, scope))).toBe('identity_unverified');
    expect(refusalType(() => refuseUnprovenCancel({ by: 'root' }, NOW, { ...scope, keys: [] }))).toBe('identity_unverified');
  });
});
