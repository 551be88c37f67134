import { IdentitySigner } from '../../api/identity-signer';
import { newIdentityKeyPair, parseSigningKey, parseVerifyKeys } from '../../config/identity-keys';
import type { TrustedKey } from '../../domain/identity-proof';

/** One identity key pair per bench run: the API signs with it, the workers (and their bundle) trust it. */
const pair = newIdentityKeyPair('bench');

/** The workers' setting, as a child worker process reads it from its environment. */
export const BENCH_VERIFY_KEYS_ENTRY = pair.verify;

export const BENCH_TRUSTED_KEYS: TrustedKey[] = parseVerifyKeys(pair.verify, 'bench');

export function benchSigner(): IdentitySigner {
  return new IdentitySigner(parseSigningKey(pair.signing, 'bench'));
}
