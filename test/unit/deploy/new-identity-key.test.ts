import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript } from './shell-script';

const SCRIPT = 'deploy/new-identity-key.sh';
/** DER headers of Ed25519 keys (RFC 8410); the raw 32 bytes follow them. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** One entry of either file: `<keyId>:<base64 of 32 bytes>` (32 bytes are 43 characters and one `=`). */
const ENTRY = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/]{43}=)$/;

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'airlock-identity-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The entries of a key file, each checked against the fixed format. */
function entries(file: string): { id: string; bytes: Buffer }[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const match = ENTRY.exec(line);
      if (!match) throw new Error(`${file}: not <keyId>:<base64 of 32 bytes>: ${JSON.stringify(line)}`);
      return { id: match[1] ?? '', bytes: Buffer.from(match[2] ?? '', 'base64') };
    });
}

/** The private key as the API would load it: the seed wrapped in PKCS#8 DER. */
function privateKeyOf(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyOf(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function newDir(name: string): string {
  return join(root, name);
}

describe('deploy/new-identity-key.sh', () => {
  it('writes one signing line (0600) and its public line, and prints the public line', () => {
    const dir = newDir('first');
    const run = runScript(SCRIPT, ['--dir', dir, 'k1']);
    expect(run.status).toBe(0);
    expect(entries(join(dir, 'signing.key')).map((entry) => entry.id)).toEqual(['k1']);
    expect(entries(join(dir, 'verify.keys')).map((entry) => entry.id)).toEqual(['k1']);
    expect(run.stdout).toBe(readFileSync(join(dir, 'verify.keys'), 'utf8'));
    expect((statSync(join(dir, 'signing.key')).mode & 0o777).toString(8)).toBe('600');
    expect((statSync(join(dir, 'verify.keys')).mode & 0o777).toString(8)).toBe('644');
  });

  it('makes a matching Ed25519 pair: what the seed signs, the public key verifies', () => {
    const dir = newDir('pair');
    expect(runScript(SCRIPT, ['--dir', dir, 'k1']).status).toBe(0);
    const [signing] = entries(join(dir, 'signing.key'));
    const [published] = entries(join(dir, 'verify.keys'));
    if (!signing || !published) throw new Error('no keys written');
    const privateKey = privateKeyOf(signing.bytes);
    const publicKey = publicKeyOf(published.bytes);
    expect(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })).toEqual(Buffer.concat([SPKI_PREFIX, published.bytes]));
    const message = Buffer.from('decision:approve:alice');
    const signature = sign(null, message, privateKey);
    expect(verify(null, message, publicKey, signature)).toBe(true);
    expect(verify(null, Buffer.from('decision:approve:mallory'), publicKey, signature)).toBe(false);

    // A key from another run does not verify it: the check above can fail.
    const other = newDir('pair-other');
    expect(runScript(SCRIPT, ['--dir', other, 'k1']).status).toBe(0);
    const [stranger] = entries(join(other, 'verify.keys'));
    expect(verify(null, message, publicKeyOf(stranger?.bytes ?? Buffer.alloc(32)), signature)).toBe(false);
  });

  it('on a rotation, keeps the signing key, writes the new one aside and appends its public line', () => {
    const dir = newDir('rotate');
    expect(runScript(SCRIPT, ['--dir', dir, 'k1']).status).toBe(0);
    const signingBefore = readFileSync(join(dir, 'signing.key'), 'utf8');
    const run = runScript(SCRIPT, ['--dir', dir, 'k2']);
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, 'signing.key'), 'utf8')).toBe(signingBefore);
    const [pending] = entries(join(dir, 'pending-signing.key'));
    expect(pending?.id).toBe('k2');
    expect((statSync(join(dir, 'pending-signing.key')).mode & 0o777).toString(8)).toBe('600');
    const published = entries(join(dir, 'verify.keys'));
    expect(published.map((entry) => entry.id)).toEqual(['k1', 'k2']);
    expect(
      createPublicKey(privateKeyOf(pending?.bytes ?? Buffer.alloc(32)))
        .export({ format: 'der', type: 'spki' })
        .subarray(SPKI_PREFIX.length),
    ).toEqual(published[1]?.bytes);
    expect(run.stderr).toContain('first restart every worker');

    // A second rotation before the first is finished is refused.
    expect(runScript(SCRIPT, ['--dir', dir, 'k3']).status).toBe(1);
    expect(entries(join(dir, 'verify.keys')).map((entry) => entry.id)).toEqual(['k1', 'k2']);
  });

  it('refuses a key id already in use, or one the formats cannot hold, and writes nothing', () => {
    const dir = newDir('refuse');
    expect(runScript(SCRIPT, ['--dir', dir, 'k1']).status).toBe(0);
    const verifyBefore = readFileSync(join(dir, 'verify.keys'), 'utf8');
    const reused = runScript(SCRIPT, ['--dir', dir, 'k1']);
    expect(reused.status).toBe(1);
    expect(reused.stderr).toContain('already in');
    for (const id of ['bad:id', 'two words', '-dash', 'x'.repeat(65)]) {
      expect({ id, status: runScript(SCRIPT, ['--dir', dir, id]).status }).toEqual({ id, status: 2 });
    }
    expect(readFileSync(join(dir, 'verify.keys'), 'utf8')).toBe(verifyBefore);
    expect(existsSync(join(dir, 'pending-signing.key'))).toBe(false);
  });

  it('names the key by date and time when no id is given', () => {
    const dir = newDir('default-id');
    const run = runScript(SCRIPT, ['--dir', dir]);
    expect(run.status).toBe(0);
    expect(entries(join(dir, 'signing.key'))[0]?.id).toMatch(/^id-\d{8}-\d{6}$/);
  });
});
