import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';
import { COMPOSE_FILE, environmentOf, loadCompose, type ComposeFile, type ComposeService } from './compose-file';
import { dockerCompose } from './compose-validators';
import {
  API,
  CERT_DIR,
  clientProblems,
  frontendProblems,
  IDENTITY_DIR,
  identityKeyProblems,
  keyMountProblems,
  temporalClients,
  temporalServer,
  tlsOffProblems,
  WORKER,
} from './temporal-access';

const compose = loadCompose();

/** A copy of the compose file with one service changed, to show a check failing. */
function withService(name: string, change: (service: ComposeService) => void): ComposeFile {
  const copy = structuredClone(compose);
  const service = copy.services[name];
  if (!service) throw new Error(`no service ${name}`);
  change(service);
  return copy;
}

/** Sets one environment variable of a service in map form, as the compose file writes them. */
function setEnv(service: ComposeService, key: string, value: string): void {
  service.environment = { ...Object.fromEntries(environmentOf(service)), [key]: value };
}

describe('Temporal access in docker-compose.yml', () => {
  it('knows every service that dials Temporal, so a new one cannot skip these checks', () => {
    expect(temporalClients(compose).sort()).toEqual([API, WORKER, 'temporal-setup', 'temporal-ui'].sort());
  });

  it('requires client certificates from the private CA on the Temporal frontend', () => {
    expect(frontendProblems(compose)).toEqual([]);
  });

  it('notices a frontend that does not require client certificates', () => {
    const broken = withService(temporalServer(compose), (service) => setEnv(service, 'TEMPORAL_TLS_REQUIRE_CLIENT_AUTH', 'false'));
    expect(frontendProblems(broken)).toEqual([expect.stringContaining('TEMPORAL_TLS_REQUIRE_CLIENT_AUTH')]);
  });

  it('gives every Temporal client TLS, the CA, a server name and a client certificate of its own', () => {
    expect(clientProblems(compose)).toEqual([]);
  });

  it('notices a client without its certificate, or sharing another one', () => {
    const bare = withService('temporal-ui', (service) => delete service.secrets);
    expect(clientProblems(bare)).toEqual(expect.arrayContaining([expect.stringMatching(/^temporal-ui: TEMPORAL_TLS_CERT names no mounted secret/)]));
    const shared = withService(WORKER, (service) => {
      service.secrets = [...(service.secrets ?? []), 'temporal-tls-api-cert', 'temporal-tls-api-key'];
      setEnv(service, 'AIRLOCK_TEMPORAL_TLS_CERT_FILE', '/run/secrets/temporal-tls-api-cert');
      setEnv(service, 'AIRLOCK_TEMPORAL_TLS_KEY_FILE', '/run/secrets/temporal-tls-api-key');
    });
    expect(clientProblems(shared)).toEqual([expect.stringContaining('shares the api certificate')]);
  });

  it('mounts no private key in a service it does not belong to, and no folder that holds keys', () => {
    expect(keyMountProblems(compose)).toEqual([]);
  });

  it('notices a stray key, or the folder of keys mounted whole', () => {
    const stray = withService('temporal-ui', (service) => {
      service.secrets = [...(service.secrets ?? []), 'temporal-tls-server-key'];
    });
    expect(keyMountProblems(stray)).toEqual([`temporal-ui: mounts ${CERT_DIR}/server.key, which is not its own key`]);
    const folder = withService('temporal-setup', (service) => {
      service.volumes = ['./deploy/temporal:/deploy:ro'];
    });
    expect(keyMountProblems(folder)).toEqual([`temporal-setup: bind-mounts deploy/temporal, which holds ${CERT_DIR}`]);
  });

  it('never turns TLS off or skips the server name check', () => {
    expect(tlsOffProblems(compose)).toEqual([]);
    const off = withService(API, (service) => setEnv(service, 'AIRLOCK_TEMPORAL_TLS', 'false'));
    expect(tlsOffProblems(off)).toEqual([`${API}: AIRLOCK_TEMPORAL_TLS=false`]);
  });

  it('runs the Web UI read-only: it has no sign-in, and its certificate reaches Temporal', () => {
    expect(environmentOf(compose.services['temporal-ui'] as ComposeService).get('TEMPORAL_DISABLE_WRITE_ACTIONS')).toBe('true');
  });

  it('gives the identity signing key to the API alone, and the public keys to the worker', () => {
    expect(identityKeyProblems(compose)).toEqual([]);
  });

  it('notices a worker given the signing key', () => {
    const leaked = withService(WORKER, (service) => {
      service.secrets = [...(service.secrets ?? []), 'identity-signing-key'];
      setEnv(service, 'AIRLOCK_IDENTITY_SIGNING_KEY_FILE', '/run/secrets/identity-signing-key');
    });
    expect(identityKeyProblems(leaked)).toEqual([`${WORKER}: sets AIRLOCK_IDENTITY_SIGNING_KEY_FILE`, `${WORKER}: mounts ${IDENTITY_DIR}/signing.key`]);
  });

  it('takes every secret from a file in a folder that git and the image build ignore', () => {
    const files = Object.entries(compose.secrets ?? {}).map(([name, secret]) => ({ name, file: secret.file?.replace(/^\.\//, '') }));
    expect(files.length).toBeGreaterThan(0);
    for (const { name, file } of files) {
      expect({ name, file }).toEqual({ name, file: expect.stringMatching(new RegExp(`^(${CERT_DIR}|${IDENTITY_DIR})/[^/]+$`)) });
      const ignored = spawnSync('git', ['check-ignore', '-q', file ?? ''], { cwd: PROJECT_ROOT });
      expect({ file, gitignored: ignored.status === 0 }).toEqual({ file, gitignored: true });
    }
    const dockerignore = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    expect(dockerignore).toEqual(expect.arrayContaining([CERT_DIR, IDENTITY_DIR]));
  });
});

/** The `docker-compose.override.yml` that docs/deployment.md gives for Temporal Cloud. */
function cloudOverrideFromDocs(): string {
  const docs = readFileSync(join(PROJECT_ROOT, 'docs/deployment.md'), 'utf8');
  const from = docs.indexOf("To run the compose file's worker and API against Cloud");
  const block = /```yaml\n([\s\S]*?)```/.exec(docs.slice(from));
  if (from < 0 || !block?.[1]) throw new Error('docs/deployment.md has no Cloud override example');
  return block[1];
}

describe('the Temporal Cloud override in docs/deployment.md', () => {
  const cli = dockerCompose();
  if (!cli.ok) {
    console.warn(`Cloud override check skipped: ${cli.reason}`);
    it.skip(`merges with docker-compose.yml (skipped: ${cli.reason})`, () => undefined);
    return;
  }

  it('drops the local CA, server name and certificates, and keeps the identity keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-override-'));
    try {
      const override = join(dir, 'docker-compose.override.yml');
      writeFileSync(override, cloudOverrideFromDocs());
      const result = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, '-f', override, 'config', '--format', 'json'], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          AIRLOCK_CODEC_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
          TEMPORAL_DB_PASSWORD: 'test',
          AUDIT_DB_PASSWORD: 'test',
          AIRLOCK_EXECUTOR_ROLE_ARN: 'arn:aws:iam::123456789012:role/airlock-executor',
          TEMPORAL_CLOUD_API_KEY: 'cloud-key',
        },
      });
      expect(result.stderr).toBe('');
      const merged = JSON.parse(result.stdout) as ComposeFile;
      const expectations = { [WORKER]: 'identity-verify-keys', [API]: 'identity-signing-key' };
      for (const [name, secret] of Object.entries(expectations)) {
        const service = merged.services[name] as ComposeService;
        const env = environmentOf(service);
        expect({ name, apiKey: env.get('AIRLOCK_TEMPORAL_API_KEY') }).toEqual({ name, apiKey: 'cloud-key' });
        const local = ['AIRLOCK_TEMPORAL_TLS_CA_FILE', 'AIRLOCK_TEMPORAL_TLS_SERVER_NAME', 'AIRLOCK_TEMPORAL_TLS_CERT_FILE', 'AIRLOCK_TEMPORAL_TLS_KEY_FILE'];
        expect({ name, left: local.filter((key) => env.has(key)) }).toEqual({ name, left: [] });
        const sources = (service.secrets ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.source));
        expect({ name, sources }).toEqual({ name, sources: [secret] });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
