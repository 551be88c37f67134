import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/load';

/** One AES-256 key and the id written beside each payload it encrypts. */
export interface CodecKey {
  id: string;
  key: Buffer;
}

/** The first key encrypts; every key decrypts, so old payloads stay readable after a rotation. */
export interface CodecKeyRing {
  encrypting: CodecKey;
  byId: ReadonlyMap<string, CodecKey>;
}

const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Parses `<id>:<base64 of 32 bytes>[,<id>:<key>…]` (whitespace and newlines allowed between
 * entries, so a key file may hold one per line). Throws ConfigError naming the source, never a key.
 */
export function parseKeyRing(text: string, source: string): CodecKeyRing {
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry && !entry.startsWith('#'));
  const byId = new Map<string, CodecKey>();
  const keys = entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID_PATTERN.test(id)) throw new ConfigError(`${source}: entry ${index + 1} must be <id>:<base64 key>, id of 1-64 letters, digits and ._-`);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new ConfigError(`${source}: key ${id} must be 32 bytes, base64-encoded (got ${key.length})`);
    if (byId.has(id)) throw new ConfigError(`${source}: key id ${id} appears twice`);
    const codecKey = { id, key };
    byId.set(id, codecKey);
    return codecKey;
  });
  const [encrypting] = keys;
  if (!encrypting) throw new ConfigError(`${source}: no keys`);
  return { encrypting, byId };
}

/** The key ring from AIRLOCK_CODEC_KEYS or the file AIRLOCK_CODEC_KEYS_FILE names; none when neither is set. */
export function loadKeyRing(settings: { keys?: string | undefined; keysFile?: string | undefined }): CodecKeyRing | undefined {
  if (settings.keys && settings.keysFile) throw new ConfigError('set AIRLOCK_CODEC_KEYS or AIRLOCK_CODEC_KEYS_FILE, not both');
  if (settings.keys) return parseKeyRing(settings.keys, 'AIRLOCK_CODEC_KEYS');
  if (!settings.keysFile) return undefined;
  let text: string;
  try {
    text = readFileSync(settings.keysFile, 'utf8');
  } catch (err) {
    throw new ConfigError(`AIRLOCK_CODEC_KEYS_FILE: cannot read ${settings.keysFile}: ${(err as Error).message}`);
  }
  return parseKeyRing(text, 'AIRLOCK_CODEC_KEYS_FILE');
}

/** A new key entry, `<id>:<base64>`, for a first key or a rotation. */
export function newKeyEntry(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
