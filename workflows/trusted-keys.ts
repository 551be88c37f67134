import type { TrustedKey } from '../domain/identity-proof';

/**
 * Replaced at bundle time with the worker's public keys (workers/workflow-bundle.ts), never read
 * from any input: whoever can reach Temporal controls inputs, not the worker's configuration.
 */
declare const __AIRLOCK_IDENTITY_KEYS__: readonly TrustedKey[] | undefined;

/**
 * The public keys Update validators verify identities with. Validators never run on replay, so
 * they always use the worker's current keys, and a rotation applies to actions already waiting.
 * A bundle made without keys trusts none, and so refuses every identity.
 */
export function trustedIdentityKeys(): readonly TrustedKey[] {
  return typeof __AIRLOCK_IDENTITY_KEYS__ === 'undefined' ? [] : __AIRLOCK_IDENTITY_KEYS__;
}

/** The identifier the bundler defines; workers/workflow-bundle.ts uses it. */
export const IDENTITY_KEYS_GLOBAL = '__AIRLOCK_IDENTITY_KEYS__';
