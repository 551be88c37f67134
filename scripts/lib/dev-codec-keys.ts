import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKeyRing, newKeyEntry } from '../../codec/keys';
import { PRIVATE_FILE_MODE } from './private-state';

export interface DevEncryption {
  /** Settings for the worker and the API. */
  env: NodeJS.ProcessEnv;
  /** The key new payloads are encrypted with. */
  keyId: string;
  source: string;
}

/**
 * Payload encryption for `npm start`: the user's AIRLOCK_CODEC_KEYS(_FILE) when set; else, with
 * `--encrypt`, a key in .airlock/codec-keys (mode 600) made on first use. Once that file exists it
 * is always used: workflows in .airlock/temporal.db encrypted under it must stay readable.
 */
export function devEncryption(stateDir: string, requested: boolean): DevEncryption | undefined {
  const given = { keys: process.env.AIRLOCK_CODEC_KEYS, keysFile: process.env.AIRLOCK_CODEC_KEYS_FILE };
  const fromEnvironment = loadKeyRing(given);
  if (fromEnvironment) {
    return { env: {}, keyId: fromEnvironment.encrypting.id, source: given.keys ? 'AIRLOCK_CODEC_KEYS' : 'AIRLOCK_CODEC_KEYS_FILE' };
  }
  const file = join(stateDir, 'codec-keys');
  if (!existsSync(file)) {
    if (!requested) return undefined;
    writeFileSync(file, `# Payload encryption key for npm start (AIRLOCK_CODEC_KEYS_FILE). Keep it with temporal.db.\n${newKeyEntry('dev1')}\n`, {
      mode: PRIVATE_FILE_MODE,
    });
  }
  const ring = loadKeyRing({ keysFile: file });
  if (!ring) throw new Error(`${file} holds no key`);
  return { env: { AIRLOCK_CODEC_KEYS_FILE: file }, keyId: ring.encrypting.id, source: '.airlock/codec-keys' };
}
