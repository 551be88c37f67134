import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devEncryption } from '../../../scripts/lib/dev-codec-keys';
import { ensureDevPrincipals } from '../../../scripts/lib/dev-principals';
import { privateStateDir } from '../../../scripts/lib/private-state';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** `npm start`'s .airlock/ holds workflow histories, the audit trail and keys: its owner's alone. */
describe('the dev state folder', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'airlock-state-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is created 0700', () => {
    const state = join(root, '.airlock');
    privateStateDir(state);
    expect(modeOf(state)).toBe(0o700);
  });

  it('tightens a folder from an older version: 0700, and every file directly in it 0600', () => {
    const state = join(root, '.airlock');
    mkdirSync(state, { mode: 0o755 });
    chmodSync(state, 0o755);
    const files = ['temporal.db', 'temporal.db-wal', 'temporal.db-shm', 'audit.db', 'audit.db-wal', 'principals.yaml', 'dev-keys.env'];
    for (const name of files) writeFileSync(join(state, name), 'x', { mode: 0o644 });
    // PostgreSQL keeps its own data folder (0700 itself); a link points somewhere that is not ours to change.
    mkdirSync(join(state, 'postgres'), { mode: 0o750 });
    chmodSync(join(state, 'postgres'), 0o750);
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'x', { mode: 0o644 });
    symlinkSync(outside, join(state, 'link'));

    privateStateDir(state);

    expect(modeOf(state)).toBe(0o700);
    for (const name of files) expect([name, modeOf(join(state, name))]).toEqual([name, 0o600]);
    expect(modeOf(join(state, 'postgres'))).toBe(0o750);
    expect(modeOf(outside)).toBe(0o644);
  });

  it('may be made enterable but not listable, for a server running as another user', () => {
    const state = join(root, '.airlock');
    privateStateDir(state, 0o711);
    expect(modeOf(state)).toBe(0o711);
  });

  it('gets the dev principals and their keys as 0600 files, also when principals are added later', () => {
    const state = join(root, '.airlock');
    privateStateDir(state);
    const { principalsFile, keysFile } = ensureDevPrincipals(state);
    expect(modeOf(principalsFile)).toBe(0o600);
    expect(modeOf(keysFile)).toBe(0o600);

    // A state folder from before a principal existed: rewritten with the missing one, still 0600.
    writeFileSync(keysFile, '# old\n', { mode: 0o600 });
    ensureDevPrincipals(state);
    expect(modeOf(principalsFile)).toBe(0o600);
    expect(modeOf(keysFile)).toBe(0o600);
  });

  it('gets the dev payload key as a 0600 file', () => {
    const saved = { keys: process.env.AIRLOCK_CODEC_KEYS, keysFile: process.env.AIRLOCK_CODEC_KEYS_FILE };
    delete process.env.AIRLOCK_CODEC_KEYS;
    delete process.env.AIRLOCK_CODEC_KEYS_FILE;
    try {
      const state = join(root, '.airlock');
      privateStateDir(state);
      expect(devEncryption(state, true)?.env.AIRLOCK_CODEC_KEYS_FILE).toBe(join(state, 'codec-keys'));
      expect(modeOf(join(state, 'codec-keys'))).toBe(0o600);
    } finally {
      if (saved.keys !== undefined) process.env.AIRLOCK_CODEC_KEYS = saved.keys;
      if (saved.keysFile !== undefined) process.env.AIRLOCK_CODEC_KEYS_FILE = saved.keysFile;
    }
  });
});
