import { createPrivateKey, X509Certificate } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { environmentOf, loadCompose, type ComposeService } from './compose-file';
import { openssl, runScript } from './shell-script';
import { CERT_DIR, temporalServer } from './temporal-access';

const SCRIPT = 'deploy/temporal/make-certs.sh';
const CLIENTS = ['worker', 'api', 'ui', 'setup', 'cli'];
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

const compose = loadCompose();
let root: string;
let certs: string;

function certificate(dir: string, name: string): X509Certificate {
  return new X509Certificate(readFileSync(join(dir, `${name}.pem`)));
}

/** The files of a folder with their contents, to tell what a run changed. */
function snapshot(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
}

/** Every name the compose file has a client check the server certificate against, and the published address. */
function namesComposeDialsTheServerBy(): { hosts: string[]; ips: string[] } {
  const hosts = new Set<string>(['localhost']);
  for (const service of Object.values(compose.services)) {
    for (const [key, value] of environmentOf(service)) {
      if ((key === 'TEMPORAL_ADDRESS' || key === 'AIRLOCK_TEMPORAL_ADDRESS') && typeof value === 'string') hosts.add(value.split(':')[0] ?? '');
      if (key.endsWith('SERVER_NAME') && typeof value === 'string') hosts.add(value);
    }
  }
  const server = compose.services[temporalServer(compose)] as ComposeService;
  const ips = (server.ports ?? []).flatMap((port) => (typeof port === 'string' && port.endsWith(':7233') ? [port.split(':')[0] ?? ''] : []));
  return { hosts: [...hosts], ips };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'airlock-certs-'));
  certs = join(root, 'certs');
  const run = runScript(SCRIPT, ['--dir', certs]);
  expect(run.stderr).not.toMatch(/failed/);
  expect(run.status).toBe(0);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('deploy/temporal/make-certs.sh', () => {
  it('writes a CA, the server certificate and one client certificate per component, each with its key', () => {
    const expected = ['ca', 'server', ...CLIENTS].flatMap((name) => [`${name}.pem`, `${name}.key`]);
    expect(readdirSync(certs).sort()).toEqual(expected.sort());
  });

  it('signs each certificate with the CA, for the use it is put to (openssl verify)', () => {
    for (const name of ['server', ...CLIENTS]) {
      // The server's certificate is also its client certificate between Temporal's own services.
      const purposes = name === 'server' ? ['sslserver', 'sslclient'] : ['sslclient'];
      for (const purpose of purposes) {
        const result = openssl(['verify', '-CAfile', join(certs, 'ca.pem'), '-purpose', purpose, join(certs, `${name}.pem`)]);
        expect({ name, purpose, status: result.status, out: result.stdout.trim() }).toEqual({ name, purpose, status: 0, out: `${join(certs, name)}.pem: OK` });
      }
    }
    expect(certificate(certs, 'ca').ca).toBe(true);
  });

  it('gives client certificates client auth only, so none can pose as the server', () => {
    for (const name of CLIENTS) {
      const cert = certificate(certs, name);
      expect({ name, ca: cert.ca, usage: cert.keyUsage }).toEqual({ name, ca: false, usage: [CLIENT_AUTH] });
      expect(openssl(['verify', '-CAfile', join(certs, 'ca.pem'), '-purpose', 'sslserver', join(certs, `${name}.pem`)]).status).not.toBe(0);
    }
    expect(certificate(certs, 'server').keyUsage.sort()).toEqual([SERVER_AUTH, CLIENT_AUTH].sort());
  });

  it('makes certificates another CA does not accept, so the verification above can fail', () => {
    const other = join(root, 'other');
    expect(runScript(SCRIPT, ['--dir', other]).status).toBe(0);
    const result = openssl(['verify', '-CAfile', join(other, 'ca.pem'), join(certs, 'server.pem')]);
    expect(result.status).not.toBe(0);
  });

  it('makes the server certificate valid for every name docker-compose.yml checks it against', () => {
    const server = certificate(certs, 'server');
    const { hosts, ips } = namesComposeDialsTheServerBy();
    expect(hosts).toContain('temporal');
    expect(ips).toEqual(['127.0.0.1']);
    for (const host of hosts) expect({ host, matched: server.checkHost(host) }).toEqual({ host, matched: host });
    for (const ip of ips) expect({ ip, matched: server.checkIP(ip) }).toEqual({ ip, matched: ip });
    expect(server.checkHost('temporal.example.com')).toBeUndefined();
  });

  it('pairs each certificate with its own key', () => {
    for (const name of ['ca', 'server', ...CLIENTS]) {
      const key = createPrivateKey(readFileSync(join(certs, `${name}.key`)));
      expect({ name, matches: certificate(certs, name).checkPrivateKey(key) }).toEqual({ name, matches: true });
    }
    const wrong = createPrivateKey(readFileSync(join(certs, 'api.key')));
    expect(certificate(certs, 'worker').checkPrivateKey(wrong)).toBe(false);
  });

  it('keeps keys 0600 and certificates 0644', () => {
    for (const file of readdirSync(certs)) {
      const mode = statSync(join(certs, file)).mode & 0o777;
      expect({ file, mode: mode.toString(8) }).toEqual({ file, mode: file.endsWith('.key') ? '600' : '644' });
    }
  });

  it('makes every file docker-compose.yml mounts from its folder', () => {
    const mounted = Object.values(compose.secrets ?? {})
      .map((secret) => secret.file?.replace(/^\.\//, '') ?? '')
      .filter((file) => file.startsWith(`${CERT_DIR}/`));
    expect(mounted.length).toBeGreaterThan(0);
    for (const file of mounted) expect({ file, made: existsSync(join(certs, basename(file))) }).toEqual({ file, made: true });
  });

  it('keeps everything when run again', () => {
    const before = snapshot(certs);
    const run = runScript(SCRIPT, ['--dir', certs]);
    expect(run.status).toBe(0);
    expect(snapshot(certs)).toEqual(before);
  });

  it('with --renew, issues new certificates and keys from the same CA', () => {
    const dir = join(root, 'renew');
    cpSync(certs, dir, { recursive: true });
    const before = snapshot(dir);
    expect(runScript(SCRIPT, ['--dir', dir, '--renew']).status).toBe(0);
    const after = snapshot(dir);
    expect(after.get('ca.pem')).toBe(before.get('ca.pem'));
    expect(after.get('ca.key')).toBe(before.get('ca.key'));
    for (const name of ['server', ...CLIENTS]) {
      expect({ name, changed: after.get(`${name}.key`) !== before.get(`${name}.key`) }).toEqual({ name, changed: true });
      expect(openssl(['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, `${name}.pem`)]).status).toBe(0);
    }
  });

  it('needs the CA key only to issue, so it can be kept offline', () => {
    const dir = join(root, 'offline');
    cpSync(certs, dir, { recursive: true });
    rmSync(join(dir, 'ca.key'));
    const before = snapshot(dir);
    expect(runScript(SCRIPT, ['--dir', dir]).status).toBe(0);
    const renew = runScript(SCRIPT, ['--dir', dir, '--renew']);
    expect(renew.status).toBe(1);
    expect(renew.stderr).toContain('needs');
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses half a pair, or certificates without their CA, and changes nothing', () => {
    const half = join(root, 'half');
    cpSync(certs, half, { recursive: true });
    rmSync(join(half, 'worker.key'));
    const before = snapshot(half);
    const run = runScript(SCRIPT, ['--dir', half]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('worker.pem and worker.key');
    expect(snapshot(half)).toEqual(before);

    const orphan = join(root, 'orphan');
    mkdirSync(orphan);
    cpSync(join(certs, 'server.pem'), join(orphan, 'server.pem'));
    cpSync(join(certs, 'server.key'), join(orphan, 'server.key'));
    const orphanRun = runScript(SCRIPT, ['--dir', orphan]);
    expect(orphanRun.status).toBe(1);
    expect(orphanRun.stderr).toContain('no CA');
    expect(readdirSync(orphan).sort()).toEqual(['server.key', 'server.pem']);
  });
});
