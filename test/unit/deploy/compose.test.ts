import { spawnSync } from 'node:child_process';
import { configSchema } from '../../../config/schema';
import { TEMPORAL_SERVER_VERSION } from '../../../scripts/lib/cluster-temporal';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';
import { WORKER_NODE_FLAGS } from '../../../workers/worker-sizing';
import { SEARCH_ATTRIBUTES } from '../../../workflows/search-attributes';
import { buildOutputs } from './build-output';
import { argsOf, COMPOSE_FILE, environmentOf, loadCompose, loadComposeDocument, publishedPort, type ComposeService } from './compose-file';
import { composeSchemaFile, composeSchemaValidator, dockerCompose } from './compose-validators';

const compose = loadCompose();
const services = Object.entries(compose.services);
const AIRLOCK = ['airlock-worker', 'airlock-api'] as const;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

function env(name: string, key: string): unknown {
  return environmentOf(service(name)).get(key);
}

describe('docker-compose.yml against the Compose Specification', () => {
  const schema = composeSchemaFile();
  if (!schema.ok) {
    // Logged, not silent: CI has Go, so this branch means a machine without it.
    console.warn(`compose schema checks skipped: ${schema.reason}`);
    it.skip(`validates against the Compose Specification schema (skipped: ${schema.reason})`, () => undefined);
    return;
  }
  const validate = composeSchemaValidator(schema.path);

  it('is a valid Compose file', () => {
    expect(validate(loadComposeDocument())).toEqual([]);
  });

  it('rejects a broken file, so the check is known to bite', () => {
    const errors = validate({ services: { x: { image: 1, ports: 'nope' } } });
    expect(errors).toEqual(expect.arrayContaining(['/services/x/image must be string', '/services/x/ports must be array']));
  });

  it('rejects a misspelt service key', () => {
    expect(validate({ services: { x: { image: 'busybox:1.36', enviroment: { A: 'b' } } } }).length).toBeGreaterThan(0);
  });
});

describe('docker compose config', () => {
  const cli = dockerCompose();
  if (!cli.ok) {
    console.warn(`docker compose config skipped: ${cli.reason}`);
    it.skip(`passes docker compose config -q (skipped: ${cli.reason})`, () => undefined);
    return;
  }

  it('passes docker compose config -q, with the required variables set', () => {
    const result = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '-q'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        AIRLOCK_CODEC_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
        TEMPORAL_DB_PASSWORD: 'test',
        AUDIT_DB_PASSWORD: 'test',
        AIRLOCK_EXECUTOR_ROLE_ARN: 'arn:aws:iam::123456789012:role/airlock-executor',
      },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('docker-compose.yml', () => {
  it('pins every image to a version, never latest', () => {
    for (const [name, svc] of services) {
      if (svc.image === undefined) {
        expect({ name, build: svc.build }).toEqual({ name, build: expect.anything() });
        continue;
      }
      const tag = /@sha256:[0-9a-f]{64}$/.test(svc.image) ? 'digest' : (svc.image.split('/').pop() ?? '').split(':')[1];
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/^(digest|[^:]*\d[^:]*)$/) });
      expect(tag).not.toMatch(/latest/);
    }
  });

  it('builds the worker and the API from the repo Dockerfile, each running its own entry point (the worker with its Node flags)', () => {
    const outputs = buildOutputs();
    const entries = { 'airlock-worker': 'dist/workers/main.js', 'airlock-api': 'dist/api/main.js' };
    const flags = { 'airlock-worker': WORKER_NODE_FLAGS, 'airlock-api': [] };
    for (const name of AIRLOCK) {
      const { build } = service(name);
      const context = typeof build === 'string' ? build : build?.context;
      expect({ name, context, dockerfile: typeof build === 'object' ? build.dockerfile : undefined }).toEqual({ name, context: '.', dockerfile: undefined });
      expect(argsOf(service(name).command)).toEqual(['node', ...flags[name], entries[name]]);
      expect(outputs).toContain(entries[name]); // written by `npm run build`
    }
    // deploy/healthcheck.js tells the two apart by this path in the command line.
    expect(argsOf(service('airlock-worker').command).join(' ')).toContain('workers/main.js');
    expect(argsOf(service('airlock-api').command).join(' ')).not.toContain('workers/main.js');
  });

  it('sets only AIRLOCK_* variables that config/schema.ts knows, so a typo fails here', () => {
    const known = new Set(Object.keys(configSchema.shape));
    const unknown = services.flatMap(([name, svc]) =>
      [...environmentOf(svc).keys()].filter((key) => key.startsWith('AIRLOCK_') && !known.has(key)).map((key) => `${name}: ${key}`),
    );
    expect(unknown).toEqual([]);
  });

  it('encrypts payloads: worker and API share AIRLOCK_CODEC_KEYS, required from the environment, never committed', () => {
    const keys = AIRLOCK.map((name) => env(name, 'AIRLOCK_CODEC_KEYS'));
    expect(keys[0]).toMatch(/^\$\{AIRLOCK_CODEC_KEYS:\?[^}]+\}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('commits no secret: secret settings are required or passed through from the environment', () => {
    const secrets = [
      'AIRLOCK_CODEC_KEYS',
      'AIRLOCK_CODEC_SESSION_SECRET',
      'AIRLOCK_METRICS_TOKEN',
      'AIRLOCK_CALLBACK_SECRET',
      'AIRLOCK_SLACK_BOT_TOKEN',
      'AIRLOCK_SLACK_SIGNING_SECRET',
      'AIRLOCK_SMTP_URL',
      'AIRLOCK_TEMPORAL_API_KEY',
      'POSTGRES_PASSWORD',
      'POSTGRES_PWD',
      'SQL_PASSWORD',
    ];
    for (const [name, svc] of services) {
      for (const [key, value] of environmentOf(svc)) {
        if (!secrets.includes(key)) continue;
        expect({ name, key, value }).toEqual({ name, key, value: value === null ? null : expect.stringMatching(/^\$\{[A-Z_]+(:\?[^}]+)?\}$/) });
      }
    }
    expect(env('airlock-worker', 'AIRLOCK_AUDIT_URL')).toMatch(/^postgres:\/\/airlock:\$\{AUDIT_DB_PASSWORD:\?[^}]+\}@postgres:5432\/airlock$/);
  });

  it('points the UI at the API codec, and lets the UI origin call it with credentials', () => {
    const ui = service('temporal-ui');
    const uiEnv = environmentOf(ui);
    const apiPort = publishedPort(service('airlock-api'), Number(env('airlock-api', 'AIRLOCK_API_PORT')));
    expect(uiEnv.get('TEMPORAL_CODEC_ENDPOINT')).toBe(`http://localhost:${apiPort}/codec`);
    expect(String(uiEnv.get('TEMPORAL_CODEC_INCLUDE_CREDENTIALS'))).toBe('true');
    const uiOrigin = `http://localhost:${publishedPort(ui, 8080)}`;
    expect(String(env('airlock-api', 'AIRLOCK_CODEC_CORS_ORIGINS')).split(',')).toContain(uiOrigin);
    expect(uiEnv.get('TEMPORAL_CORS_ORIGINS')).toBe(uiOrigin);
    expect(env('airlock-api', 'AIRLOCK_TEMPORAL_UI_URL')).toBe(uiOrigin);
  });

  it('publishes the API, and the worker metrics on a port the worker listens on from outside its container', () => {
    const port = Number(env('airlock-worker', 'AIRLOCK_WORKER_METRICS_PORT'));
    // On a host port Docker picks for each replica: replicas cannot share a fixed one.
    expect(publishedPort(service('airlock-worker'), port)).toBe(0);
    expect(env('airlock-worker', 'AIRLOCK_WORKER_METRICS_HOST')).toBe('0.0.0.0');
    expect(env('airlock-api', 'AIRLOCK_API_HOST')).toBe('0.0.0.0');
  });

  it('runs two workers, as npm run cluster does, so that one may die', () => {
    expect(service('airlock-worker').deploy?.replicas).toBe(2);
  });

  it('runs the Temporal minor version npm run cluster builds, with one tag for the server and its admin tools', () => {
    const tags = ['temporal-schema', 'temporal', 'temporal-setup'].map((name) => (service(name).image ?? '').split(':')[1]);
    expect(new Set(tags).size).toBe(1);
    const minor = (version: string): string => version.replace(/^v/, '').split('.').slice(0, 2).join('.');
    expect(minor(tags[0] ?? '')).toBe(minor(TEMPORAL_SERVER_VERSION));
    expect(env('temporal', 'NUM_HISTORY_SHARDS')).toBe('4');
  });

  it('registers every search attribute the workflow sets, with its type, in the namespace Airlock uses', () => {
    const setup = service('temporal-setup');
    const registered = argsOf(setup.command);
    for (const { name, type } of SEARCH_ATTRIBUTES) expect(registered).toContain(`${name}=${type}`);
    const namespace = environmentOf(setup).get('NAMESPACE');
    for (const name of AIRLOCK) expect(env(name, 'AIRLOCK_TEMPORAL_NAMESPACE')).toBe(namespace);
    expect(environmentOf(service('temporal-ui')).get('TEMPORAL_DEFAULT_NAMESPACE')).toBe(namespace);
  });

  it('starts Airlock only after PostgreSQL is healthy and the namespace is set up', () => {
    for (const name of AIRLOCK) {
      expect(service(name).depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
    }
    expect(service('temporal').depends_on).toMatchObject({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(service('temporal-setup').depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
  });
});
