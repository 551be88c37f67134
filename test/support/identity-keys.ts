import { randomUUID } from 'node:crypto';
import { newIdentityKeyPair, parseSigningKey, parseVerifyKeys, type IdentitySigningKey } from '../../config/identity-keys';
import type { TrustedKey } from '../../domain/identity-proof';
import { IdentitySigner } from '../../api/identity-signer';
import type { CancelInput, DecideInput } from '../../domain/types';

/**
 * The API's and the workers' identity key pair: the integration run's own (made by the global
 * setup, so that one workflow bundle serves every test file), else one per test file.
 */
const fromSetup = process.env.AIRLOCK_TEST_IDENTITY_SIGNING_KEY && process.env.AIRLOCK_TEST_IDENTITY_VERIFY_KEYS;
const pair = fromSetup
  ? { signing: process.env.AIRLOCK_TEST_IDENTITY_SIGNING_KEY ?? '', verify: process.env.AIRLOCK_TEST_IDENTITY_VERIFY_KEYS ?? '' }
  : newIdentityKeyPair('test-key');

export const TEST_IDENTITY_ENTRIES = pair;
export const TEST_SIGNING_KEY: IdentitySigningKey = parseSigningKey(pair.signing, 'test');
export const TEST_TRUSTED_KEYS: TrustedKey[] = parseVerifyKeys(pair.verify, 'test');

export function testSigner(): IdentitySigner {
  return new IdentitySigner(TEST_SIGNING_KEY);
}

/** A `decide` Update as the API would send it: signed for this action and a fresh Update id. */
export function signedDecision(actionId: string, decision: DecideInput, signer = testSigner()): { args: [DecideInput]; updateId: string } {
  const updateId = `test:${decision.reviewer}:${randomUUID()}`;
  return { args: [{ ...decision, proof: signer.signDecision(actionId, updateId, decision) }], updateId };
}

/** A `cancel` Update as the API would send it: signed for this action and a fresh Update id. */
export function signedCancel(actionId: string, cancel: CancelInput, signer = testSigner()): { args: [CancelInput]; updateId: string } {
  const updateId = `test:cancel:${cancel.by}:${randomUUID()}`;
  return { args: [{ ...cancel, proof: signer.signCancel(actionId, updateId, cancel) }], updateId };
}
