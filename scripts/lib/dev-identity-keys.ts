import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIdentitySigningKey, loadIdentityVerifyKeys, newIdentityKeyPair } from '../../config/identity-keys';

export interface DevIdentityKeys {
  /** Settings for the API (the signing key) and the worker (public keys); the worker never gets the former. */
  env: NodeJS.ProcessEnv;
  keyId: string;
  source: string;
}

/**
 * Identity keys for `npm start` and private stacks: the user's AIRLOCK_IDENTITY_* settings when set;
 * else a key pair in the state folder, made on first use (the private key mode 600). Kept across
 * starts, so actions waiting in .airlock/temporal.db stay verifiable.
 */
export function devIdentityKeys(stateDir: string, options: { fromEnvironment?: boolean } = {}): DevIdentityKeys {
  const env = process.env;
  if (
    options.fromEnvironment !== false &&
    (env.AIRLOCK_IDENTITY_SIGNING_KEY ?? env.AIRLOCK_IDENTITY_SIGNING_KEY_FILE) &&
    (env.AIRLOCK_IDENTITY_VERIFY_KEYS ?? env.AIRLOCK_IDENTITY_VERIFY_KEYS_FILE)
  ) {
    return { env: {}, keyId: loadIdentitySigningKey(env).id, source: 'AIRLOCK_IDENTITY_* settings' };
  }
  const signingFile = join(stateDir, 'identity-signing.key');
  const verifyFile = join(stateDir, 'identity-verify.keys');
  if (!existsSync(signingFile) || !existsSync(verifyFile)) {
    const pair = newIdentityKeyPair('dev1');
    writeFileSync(signingFile, `# The API's identity signing key (AIRLOCK_IDENTITY_SIGNING_KEY_FILE). Never give it to a worker.\n${pair.signing}\n`, {
      mode: 0o600,
    });
    writeFileSync(verifyFile, `# Public keys workers accept identities from (AIRLOCK_IDENTITY_VERIFY_KEYS_FILE).\n${pair.verify}\n`, { mode: 0o600 });
  }
  const settings = { AIRLOCK_IDENTITY_SIGNING_KEY_FILE: signingFile, AIRLOCK_IDENTITY_VERIFY_KEYS_FILE: verifyFile };
  const signing = loadIdentitySigningKey(settings);
  if (!loadIdentityVerifyKeys(settings).some((key) => key.publicKeyHex === signing.publicKeyHex)) {
    throw new Error(`${verifyFile} does not hold the public key of ${signingFile}: delete both to make a new pair`);
  }
  return { env: settings, keyId: signing.id, source: '.airlock/identity-signing.key' };
}
