import { createPublicKey, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../config/load';
import {
  loadIdentitySigningKey,
  loadIdentityVerifyKeys,
  newIdentityKeyPair,
  parseSigningKey,
  parseVerifyKeys,
  refuseSigningKey,
} from '../../../config/identity-keys';

describe('identity key settings', () => {
  it('a new pair: the signing entry signs what the verify entry verifies', () => {
    const pair = newIdentityKeyPair('k2026');
    const signing = parseSigningKey(pair.signing, 'test');
    const [trusted] = parseVerifyKeys(pair.verify, 'test');
    expect(trusted).toEqual({ id: 'k2026', publicKeyHex: signing.publicKeyHex });
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(trusted?.publicKeyHex ?? '', 'hex')]);
    const signature = sign(null, Buffer.from('hello'), signing.privateKey);
    expect(verify(null, Buffer.from('hello'), createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature)).toBe(true);
  });

  it('reads several verify keys from a file, one per line with comments, for a rotation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-identity-'));
    try {
      const [a, b] = [newIdentityKeyPair('old'), newIdentityKeyPair('new')];
      const file = join(dir, 'verify.keys');
      writeFileSync(file, `# workers trust these\n${a.verify}\n${b.verify}\n`);
      expect(loadIdentityVerifyKeys({ AIRLOCK_IDENTITY_VERIFY_KEYS_FILE: file }).map((key) => key.id)).toEqual(['old', 'new']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each<[string, () => unknown, RegExp]>([
    ['no signing key for the API', () => loadIdentitySigningKey({}), /AIRLOCK_IDENTITY_SIGNING_KEY \(or AIRLOCK_IDENTITY_SIGNING_KEY_FILE\): required/],
    ['no verify keys for the worker', () => loadIdentityVerifyKeys({}), /AIRLOCK_IDENTITY_VERIFY_KEYS \(or AIRLOCK_IDENTITY_VERIFY_KEYS_FILE\): required/],
    ['both inline and file', () => loadIdentityVerifyKeys({ AIRLOCK_IDENTITY_VERIFY_KEYS: 'a:b', AIRLOCK_IDENTITY_VERIFY_KEYS_FILE: '/x' }), /not both/],
    [
      'a short key',
      () => parseVerifyKeys(`k:${Buffer.alloc(16).toString('base64')}`, 'AIRLOCK_IDENTITY_VERIFY_KEYS'),
      /^AIRLOCK_IDENTITY_VERIFY_KEYS: key k must be 32 bytes/,
    ],
    ['no id', () => parseVerifyKeys(Buffer.alloc(32).toString('base64'), 'S'), /entry 1 must be <id>:<base64 key>/],
    ['a repeated id', () => parseVerifyKeys(`${newIdentityKeyPair('x').verify},${newIdentityKeyPair('x').verify}`, 'S'), /key id x appears twice/],
    ['two signing keys', () => parseSigningKey(`${newIdentityKeyPair('a').signing}\n${newIdentityKeyPair('b').signing}`, 'S'), /exactly one/],
    [
      'a missing file',
      () => loadIdentitySigningKey({ AIRLOCK_IDENTITY_SIGNING_KEY_FILE: '/nonexistent/signing.key' }),
      /cannot read \/nonexistent\/signing.key/,
    ],
    [
      'a signing key given to a worker',
      () => refuseSigningKey({ AIRLOCK_IDENTITY_SIGNING_KEY_FILE: '/run/secrets/signing.key' }),
      /must not be set for the worker/,
    ],
  ])('stops with a ConfigError naming the setting: %s', (_label, load, message) => {
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  it('never puts a key in an error message', () => {
    const pair = newIdentityKeyPair('k');
    const seed = pair.signing.split(':')[1] ?? '';
    let message = '';
    try {
      parseSigningKey(`${pair.signing}\n${pair.signing}`, 'S');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toBe('');
    expect(message).not.toContain(seed);
  });
});
