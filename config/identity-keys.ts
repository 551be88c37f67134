import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TrustedKey } from '../domain/identity-proof';
import { ConfigError } from './load';

/** The API's identity signing key: Ed25519, kept by the API alone. */
export interface IdentitySigningKey {
  id: string;
  privateKey: KeyObject;
  /** Its public half, as workers must list it. */
  publicKeyHex: string;
}

const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** PKCS#8 / SPKI DER prefixes for Ed25519 (RFC 8410): the raw 32 bytes follow them. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The settings this module reads: each value inline, or a file holding it (a Docker or Kubernetes secret). */
export interface IdentityKeySettings {
  AIRLOCK_IDENTITY_SIGNING_KEY?: string | undefined;
  AIRLOCK_IDENTITY_SIGNING_KEY_FILE?: string | undefined;
  AIRLOCK_IDENTITY_VERIFY_KEYS?: string | undefined;
  AIRLOCK_IDENTITY_VERIFY_KEYS_FILE?: string | undefined;
  AIRLOCK_IDENTITY_RETIRED_KEYS?: string | undefined;
  AIRLOCK_IDENTITY_RETIRED_KEYS_FILE?: string | undefined;
}

/** `<id>:<base64 of the 32-byte Ed25519 seed>`. Throws ConfigError naming the source, never the key. */
export function parseSigningKey(text: string, source: string): IdentitySigningKey {
  const entries = entriesOf(text);
  if (entries.length !== 1) throw new ConfigError(`${source}: expected exactly one <id>:<base64 key> entry, found ${entries.length}`);
  const { id, bytes } = parseEntry(entries[0] ?? '', 1, source);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, bytes]), format: 'der', type: 'pkcs8' });
  return { id, privateKey, publicKeyHex: publicKeyHexOf(privateKey) };
}

/** `<id>:<base64 of a 32-byte Ed25519 public key>[,…]`, comma- or newline-separated; `#` lines are comments. */
export function parseVerifyKeys(text: string, source: string): TrustedKey[] {
  const keys: TrustedKey[] = [];
  entriesOf(text).forEach((entry, index) => {
    const { id, bytes } = parseEntry(entry, index + 1, source);
    if (keys.some((key) => key.id === id)) throw new ConfigError(`${source}: key id ${id} appears twice`);
    // Refuse what is not a point on the curve now, rather than failing every verification later.
    createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, bytes]), format: 'der', type: 'spki' });
    keys.push({ id, publicKeyHex: bytes.toString('hex') });
  });
  if (keys.length === 0) throw new ConfigError(`${source}: no keys`);
  return keys;
}

/** The API's signing key; required: the API signs every identity it hands to Temporal. */
export function loadIdentitySigningKey(settings: IdentityKeySettings): IdentitySigningKey {
  const text = inlineOrFile(settings, 'AIRLOCK_IDENTITY_SIGNING_KEY');
  if (!text) throw missing('AIRLOCK_IDENTITY_SIGNING_KEY', 'the API signs every identity it hands to Temporal');
  return parseSigningKey(text.value, text.source);
}

/** The public keys a worker trusts; required: a worker without them would refuse every identity. */
export function loadIdentityVerifyKeys(settings: IdentityKeySettings): TrustedKey[] {
  const text = inlineOrFile(settings, 'AIRLOCK_IDENTITY_VERIFY_KEYS');
  if (!text) throw missing('AIRLOCK_IDENTITY_VERIFY_KEYS', 'workers accept only identities signed by these keys');
  return parseVerifyKeys(text.value, text.source);
}

/**
 * For the worker: it verifies identities and must never be able to make one. A signing key in its
 * environment means a deployment that shares the API's secrets with it; stop and say so.
 */
export function refuseSigningKey(settings: IdentityKeySettings): void {
  if (settings.AIRLOCK_IDENTITY_SIGNING_KEY || settings.AIRLOCK_IDENTITY_SIGNING_KEY_FILE) {
    throw new ConfigError(
      "invalid configuration:\n  AIRLOCK_IDENTITY_SIGNING_KEY: must not be set for the worker: the signing key is the API's alone (give the worker AIRLOCK_IDENTITY_VERIFY_KEYS)",
    );
  }
}

/** Keys no longer trusted for new input, still needed to verify what they signed (audit:verify). */
export function loadRetiredIdentityKeys(settings: IdentityKeySettings): TrustedKey[] {
  const text = inlineOrFile(settings, 'AIRLOCK_IDENTITY_RETIRED_KEYS');
  return text ? parseVerifyKeys(text.value, text.source) : [];
}

/** A new key pair as the two settings' entries: the signing entry for the API, the public one for workers. */
export function newIdentityKeyPair(id = `id${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): { signing: string; verify: string } {
  if (!KEY_ID_PATTERN.test(id)) throw new ConfigError(`key id ${JSON.stringify(id)} must be 1-64 letters, digits and ._-`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
  return { signing: `${id}:${seed.toString('base64')}`, verify: `${id}:${raw.toString('base64')}` };
}

function publicKeyHexOf(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length).toString('hex');
}

function entriesOf(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry && !entry.startsWith('#'));
}

function parseEntry(entry: string, position: number, source: string): { id: string; bytes: Buffer } {
  const colon = entry.indexOf(':');
  const id = colon > 0 ? entry.slice(0, colon) : '';
  if (!KEY_ID_PATTERN.test(id)) throw new ConfigError(`${source}: entry ${position} must be <id>:<base64 key>, id of 1-64 letters, digits and ._-`);
  const encoded = entry.slice(colon + 1);
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new ConfigError(`${source}: key ${id} must be 32 bytes, base64-encoded (got ${bytes.length})`);
  }
  return { id, bytes };
}

type Prefix = 'AIRLOCK_IDENTITY_SIGNING_KEY' | 'AIRLOCK_IDENTITY_VERIFY_KEYS' | 'AIRLOCK_IDENTITY_RETIRED_KEYS';

function inlineOrFile(settings: IdentityKeySettings, name: Prefix): { value: string; source: string } | undefined {
  const inline = settings[name];
  const file = settings[`${name}_FILE`];
  if (inline && file) throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
  if (inline) return { value: inline, source: name };
  if (!file) return undefined;
  try {
    return { value: readFileSync(file, 'utf8'), source: `${name}_FILE (${file})` };
  } catch (err) {
    throw new ConfigError(`${name}_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
}

function missing(name: Prefix, why: string): ConfigError {
  return new ConfigError(`invalid configuration:\n  ${name} (or ${name}_FILE): required: ${why} (docs/deployment.md#identity-keys)`);
}
