import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../config/load';
import { loadKeyRing, newKeyEntry, parseKeyRing } from '../../../codec/keys';

describe('codec key ring', () => {
  it('encrypts with the first key and decrypts with all', () => {
    const ring = parseKeyRing(`${newKeyEntry('new')}, ${newKeyEntry('old')}`, 'AIRLOCK_CODEC_KEYS');
    expect(ring.encrypting.id).toBe('new');
    expect([...ring.byId.keys()]).toEqual(['new', 'old']);
  });

  it.each([
    ['', /no keys/],
    ['k1', /must be <id>:<base64 key>/],
    [':AAAA', /must be <id>:<base64 key>/],
    ['k1:c2hvcnQ=', /32 bytes/],
    [`${'x'.repeat(65)}:${Buffer.alloc(32).toString('base64')}`, /1-64 letters/],
  ])('refuses %j, naming the setting and not the key', (text, message) => {
    expect(() => parseKeyRing(text, 'AIRLOCK_CODEC_KEYS')).toThrow(ConfigError);
    expect(() => parseKeyRing(text, 'AIRLOCK_CODEC_KEYS')).toThrow(message);
    expect(() => parseKeyRing(text, 'AIRLOCK_CODEC_KEYS')).toThrow(/^AIRLOCK_CODEC_KEYS/);
  });

  it('refuses a key id used twice', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(() => parseKeyRing(`a:${key},a:${key}`, 's')).toThrow(/appears twice/);
  });

  it('reads a key file with one entry per line and comments, and refuses both settings at once', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'airlock-keys-')), 'codec-keys');
    writeFileSync(file, `# rotated 2026-11-29\n${newKeyEntry('k2')}\n${newKeyEntry('k1')}\n`);
    expect(loadKeyRing({ keysFile: file })?.encrypting.id).toBe('k2');
    expect(loadKeyRing({})).toBeUndefined();
    expect(() => loadKeyRing({ keys: newKeyEntry('a'), keysFile: file })).toThrow(/not both/);
    expect(() => loadKeyRing({ keysFile: join(file, 'missing') })).toThrow(/cannot read/);
  });
});
