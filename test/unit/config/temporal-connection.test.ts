import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../config/load';
import { clientConnectionOptions, workerConnectionOptions, type TemporalConnectionSettings } from '../../../config/temporal-connection';

const ADDRESS = 'airlock-prod.a1b2c.tmprl.cloud:7233';
let dir: string;
let files: { cert: string; key: string; ca: string; empty: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-tls-'));
  files = { cert: join(dir, 'client.pem'), key: join(dir, 'client.key'), ca: join(dir, 'ca.pem'), empty: join(dir, 'empty.pem') };
  writeFileSync(files.cert, 'CERT');
  writeFileSync(files.key, 'KEY');
  writeFileSync(files.ca, 'CA');
  writeFileSync(files.empty, '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settings(env: Record<string, string>): TemporalConnectionSettings {
  return loadConfig({ AIRLOCK_TEMPORAL_ADDRESS: ADDRESS, ...env });
}

function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}

describe('Temporal connection options', () => {
  it('is plaintext with no key and no certificate, as for a local dev server', () => {
    expect(clientConnectionOptions(loadConfig({}))).toEqual({ address: '127.0.0.1:7233', tls: false });
    expect(workerConnectionOptions(loadConfig({}))).toEqual({ address: '127.0.0.1:7233', tls: false });
  });

  it('turns TLS on for an API key, and passes the key to both connections', () => {
    const config = settings({ AIRLOCK_TEMPORAL_API_KEY: 'tmprl-key' });
    expect(clientConnectionOptions(config)).toEqual({ address: ADDRESS, tls: {}, apiKey: 'tmprl-key' });
    expect(workerConnectionOptions(config)).toEqual({ address: ADDRESS, tls: {}, apiKey: 'tmprl-key' });
  });

  it('keeps TLS off with an API key when AIRLOCK_TEMPORAL_TLS=false says so (a TLS-terminating proxy)', () => {
    const config = settings({ AIRLOCK_TEMPORAL_API_KEY: 'tmprl-key', AIRLOCK_TEMPORAL_TLS: 'false' });
    expect(clientConnectionOptions(config)).toEqual({ address: ADDRESS, tls: false, apiKey: 'tmprl-key' });
  });

  it('reads the mTLS pair, the CA and the server name into the SDK TLS options', () => {
    const config = settings({
      AIRLOCK_TEMPORAL_TLS_CERT_FILE: files.cert,
      AIRLOCK_TEMPORAL_TLS_KEY_FILE: files.key,
      AIRLOCK_TEMPORAL_TLS_CA_FILE: files.ca,
      AIRLOCK_TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    for (const options of [clientConnectionOptions(config), workerConnectionOptions(config)]) {
      const tls = options.tls;
      if (typeof tls !== 'object' || tls === null) throw new Error(`expected TLS options, got ${String(tls)}`);
      expect(text(tls.clientCertPair?.crt)).toBe('CERT');
      expect(text(tls.clientCertPair?.key)).toBe('KEY');
      expect(text(tls.serverRootCACertificate)).toBe('CA');
      expect(tls.serverNameOverride).toBe('temporal.internal');
      expect(options.apiKey).toBeUndefined();
    }
  });

  it('turns TLS on with AIRLOCK_TEMPORAL_TLS=true alone (server certificate trusted by the OS)', () => {
    expect(clientConnectionOptions(settings({ AIRLOCK_TEMPORAL_TLS: 'true' }))).toEqual({ address: ADDRESS, tls: {} });
  });

  it.each([
    ['AIRLOCK_TEMPORAL_TLS_CERT_FILE', { AIRLOCK_TEMPORAL_TLS_KEY_FILE: 'k.pem' }],
    ['AIRLOCK_TEMPORAL_TLS_KEY_FILE', { AIRLOCK_TEMPORAL_TLS_CERT_FILE: 'c.pem' }],
  ])('refuses half an mTLS pair at config load, naming %s', (missing, env) => {
    expect(() => settings(env)).toThrow(ConfigError);
    expect(() => settings(env)).toThrow(new RegExp(`${missing}: required with`));
  });

  it('refuses half a pair built by hand too', () => {
    const config = { ...loadConfig({}), AIRLOCK_TEMPORAL_TLS_CERT_FILE: files.cert };
    expect(() => workerConnectionOptions(config)).toThrow(/AIRLOCK_TEMPORAL_TLS_KEY_FILE: required/);
  });

  it('refuses TLS files with AIRLOCK_TEMPORAL_TLS=false', () => {
    expect(() => settings({ AIRLOCK_TEMPORAL_TLS: 'false', AIRLOCK_TEMPORAL_TLS_CA_FILE: files.ca })).toThrow(
      /AIRLOCK_TEMPORAL_TLS: is false, but AIRLOCK_TEMPORAL_TLS_CA_FILE only apply with TLS/,
    );
  });

  it('refuses a value that is not a boolean', () => {
    expect(() => settings({ AIRLOCK_TEMPORAL_TLS: 'sometimes' })).toThrow(/AIRLOCK_TEMPORAL_TLS:/);
  });

  it('names the variable and the path when a file cannot be read', () => {
    const missing = join(dir, 'nope.pem');
    const config = settings({ AIRLOCK_TEMPORAL_TLS_CERT_FILE: files.cert, AIRLOCK_TEMPORAL_TLS_KEY_FILE: missing });
    expect(() => clientConnectionOptions(config)).toThrow(ConfigError);
    expect(() => clientConnectionOptions(config)).toThrow(`AIRLOCK_TEMPORAL_TLS_KEY_FILE: cannot read ${missing} (ENOENT)`);
  });

  it('names the variable when a file is a directory or empty', () => {
    expect(() => clientConnectionOptions(settings({ AIRLOCK_TEMPORAL_TLS_CA_FILE: dir, AIRLOCK_TEMPORAL_TLS: 'true' }))).toThrow(
      `AIRLOCK_TEMPORAL_TLS_CA_FILE: cannot read ${dir} (EISDIR)`,
    );
    expect(() => clientConnectionOptions(settings({ AIRLOCK_TEMPORAL_TLS_CA_FILE: files.empty, AIRLOCK_TEMPORAL_TLS: 'true' }))).toThrow(
      `AIRLOCK_TEMPORAL_TLS_CA_FILE: ${files.empty} is empty`,
    );
  });
});
