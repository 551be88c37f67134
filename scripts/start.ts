import { join } from 'node:path';
import { loadPolicyFile } from '../policy';
import type { PolicyDocument } from '../policy/schema';
import { startAirlockProcesses } from './lib/airlock-processes';
import { devEncryption } from './lib/dev-codec-keys';
import { devIdentityKeys } from './lib/dev-identity-keys';
import { prettyLogLine } from './lib/pretty-log-line';
import { ensureDevPrincipals, setDevTokenIssuers } from './lib/dev-principals';
import { startDevIdentityProvider, type DevIdentityProvider } from './lib/dev-identity-provider';
import { devClientSecretVariable } from './lib/dev-oidc-state';
import { CONSOLE_CLIENT_ID } from './lib/dev-oidc-provider';
import { freePort, isPortFree } from '../net/free-port';
import { startDevPostgres } from './lib/dev-postgres';
import { consoleLinksOf, startDevSmtpServer, type ReceivedEmail } from './lib/dev-smtp-server';
import { PRIVATE_DIR_MODE, privateStateDir } from './lib/private-state';
import type { ManagedProcess } from './lib/managed-process';
import { motoWorkerEnv, startMotoServer, type MotoServer } from './lib/moto-server';
import { seedDemoAws } from './lib/seed-demo-aws';
import { startTemporalDevServer, type DevServer } from './lib/temporal-dev-server';
import { PROJECT_ROOT } from './lib/tools';

/**
 * `npm start`: the whole stack on one machine with no server to install. Temporal dev server
 * (SQLite under .airlock/, Web UI), a local AWS-compatible server (moto) seeded with demo buckets
 * unless real AWS is configured, then the worker and the API as child processes. The audit store
 * is embedded SQLite, or with `--postgres` a PostgreSQL cluster under .airlock/postgres.
 * Ctrl-C stops them in order: API, worker, then the servers.
 */
const STATE_DIR = join(PROJECT_ROOT, '.airlock');
const API_PORT = Number(process.env.AIRLOCK_API_PORT ?? 8080);
const TEMPORAL_PORT = Number(process.env.AIRLOCK_TEMPORAL_PORT ?? 7233);
const UI_PORT = Number(process.env.AIRLOCK_TEMPORAL_UI_PORT ?? TEMPORAL_PORT + 1000);
const POSTGRES_PORT = Number(process.env.AIRLOCK_POSTGRES_PORT ?? 5433);
/** The worker's /metrics; 0 turns it off. When 9464 is taken, a free port. */
const WORKER_METRICS_PORT = Number(process.env.AIRLOCK_WORKER_METRICS_PORT ?? 9464);
/** The dev identity provider (people's sign-in page, agents' tokens); 0 turns it off. When 8091 is taken, a free port. */
const OIDC_PORT = Number(process.env.AIRLOCK_OIDC_PORT ?? 8091);
/** The dev SMTP server the worker sends review emails to, unless AIRLOCK_SMTP_URL is set; 0 turns it off. When 2525 is taken, a free port. */
const SMTP_PORT = Number(process.env.AIRLOCK_DEV_SMTP_PORT ?? 2525);
// `npm start --postgres` reaches us as npm_config_postgres; `npm start -- --postgres` as an argument.
const WANTS_POSTGRES = process.argv.includes('--postgres') || process.env.npm_config_postgres === 'true';
const WANTS_ENCRYPTION = process.argv.includes('--encrypt') || process.env.npm_config_encrypt === 'true';

const stoppers: (() => Promise<void>)[] = [];
const children: ManagedProcess[] = [];

function print(prefix: string): (line: string) => void {
  // While stopping, the dev server warns about every poller it closes: noise, not news.
  return (line) => {
    if (!(shuttingDown && prefix === 'temporal')) console.log(`[${prefix}] ${prettyLogLine(line)}`);
  };
}

async function main(): Promise<void> {
  const policyFile = process.env.AIRLOCK_POLICY_FILE ?? join(PROJECT_ROOT, 'config', 'example-policy.yaml');
  const policy = loadPolicyFile(policyFile); // a bad policy stops us here, naming line and field, before any server starts
  privateStateDir(STATE_DIR, stateDirMode());
  const { principalsFile, keysFile, created } = ensureDevPrincipals(STATE_DIR);
  const identityProvider = await devIdentityProvider(policy.document, keysFile);
  // A principals file of the user's own is theirs to edit; npm start's own trusts the dev provider.
  if (!process.env.AIRLOCK_PRINCIPALS_FILE) setDevTokenIssuers(principalsFile, identityProvider ? [identityProvider.tokenIssuer] : []);
  const encryption = devEncryption(STATE_DIR, WANTS_ENCRYPTION);
  const identity = devIdentityKeys(STATE_DIR);

  let temporalAddress = process.env.AIRLOCK_TEMPORAL_ADDRESS;
  let uiUrl = process.env.AIRLOCK_TEMPORAL_UI_URL;
  if (!temporalAddress) {
    const server: DevServer = await startTemporalDevServer({
      dbFile: join(STATE_DIR, 'temporal.db'),
      port: TEMPORAL_PORT,
      uiPort: UI_PORT,
      ...(encryption ? { codecEndpoint: `http://localhost:${API_PORT}/codec` } : {}),
      onLine: print('temporal'),
      ownProcessGroup: true,
    });
    children.push(server.process);
    stoppers.push(() => server.stop());
    temporalAddress = server.address;
    uiUrl = `http://localhost:${UI_PORT}`;
  }

  const awsEnv: NodeJS.ProcessEnv = {};
  if (!process.env.AIRLOCK_AWS_ENDPOINT && !process.env.AIRLOCK_EXECUTOR_ROLE_ARN) {
    const moto: MotoServer = await startMotoServer({ onLine: () => undefined, ownProcessGroup: true });
    children.push(moto.process);
    stoppers.push(() => moto.stop());
    Object.assign(awsEnv, motoWorkerEnv(moto.endpoint, await seedDemoAws(moto.endpoint)));
    console.log(`[aws] local moto server at ${moto.endpoint} (demo buckets seeded; state is in memory)`);
  }
  const audit = await auditStore();
  const email = await devEmail();
  const metricsPort = WORKER_METRICS_PORT === 0 || (await isPortFree(WORKER_METRICS_PORT)) ? WORKER_METRICS_PORT : await freePort();
  const metricsHost = process.env.AIRLOCK_WORKER_METRICS_HOST ?? '127.0.0.1';

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...awsEnv,
    AIRLOCK_TEMPORAL_ADDRESS: temporalAddress,
    AIRLOCK_POLICY_FILE: policyFile,
    AIRLOCK_PRINCIPALS_FILE: process.env.AIRLOCK_PRINCIPALS_FILE ?? principalsFile,
    AIRLOCK_API_PORT: String(API_PORT),
    AIRLOCK_WORKER_METRICS_PORT: String(metricsPort),
    AIRLOCK_AUDIT_URL: audit.url,
    ...(uiUrl ? { AIRLOCK_TEMPORAL_UI_URL: uiUrl } : {}),
    ...email.env,
    ...consoleEnv(identityProvider),
    ...encryption?.env,
    ...identity.env,
    ...(encryption && uiUrl ? { AIRLOCK_CODEC_CORS_ORIGINS: process.env.AIRLOCK_CODEC_CORS_ORIGINS ?? new URL(uiUrl).origin } : {}),
  };
  const airlock = startAirlockProcesses({ env, apiPort: API_PORT, onWorkerLine: print('worker'), onApiLine: print('api'), ownProcessGroup: true });
  const { worker, api } = airlock;
  children.push(worker, api);
  stoppers.push(() => airlock.stop());
  await airlock.ready;
  for (const child of [worker, api]) {
    void child.exit.then((code) => {
      if (!shuttingDown) {
        console.error(`${child.name} exited (${code}); stopping`);
        void shutdown(1);
      }
    });
  }
  console.log(
    [
      '',
      'Airlock is running.',
      `  API          http://127.0.0.1:${API_PORT}   (try GET /healthz)`,
      ...(uiUrl ? [`  Temporal UI  ${uiUrl}`] : []),
      `  Temporal     ${temporalAddress}   (state in .airlock/temporal.db)`,
      `  Metrics      http://127.0.0.1:${API_PORT}/metrics (API)${metricsPort ? `, http://${metricsHost}:${metricsPort}/metrics (worker)` : ''}`,
      `  Audit store  ${audit.summary}`,
      `  Email        ${email.summary}`,
      encryption
        ? `  Payloads     encrypted (key ${encryption.keyId} from ${encryption.source}); operators sign in at http://localhost:${API_PORT}/codec/login`
        : '  Payloads     not encrypted in Temporal (npm start -- --encrypt turns it on)',
      `  API keys     source ${keysFile}${created ? '   (new keys generated)' : ''}`,
      ...(identityProvider || process.env.AIRLOCK_CONSOLE_OIDC_ISSUER
        ? [`  Console      ${consoleUrl()}/console   (reviewers and auditors sign in there)`]
        : ['  Console      off (no identity provider: AIRLOCK_OIDC_PORT=0 and no AIRLOCK_CONSOLE_OIDC_ISSUER)']),
      ...identityProviderBanner(identityProvider),
      `  Identities   signed by the API with key ${identity.keyId} (${identity.source}); the worker holds the public key only`,
      '  Walk-through README.md, "One approval, end to end"',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

/** The dev identity provider on OIDC_PORT (a free port if that is taken), stopped with the rest; undefined when turned off. */
async function devIdentityProvider(policy: PolicyDocument, keysFile: string): Promise<DevIdentityProvider | undefined> {
  if (OIDC_PORT === 0) return undefined;
  const port = (await isPortFree(OIDC_PORT)) ? OIDC_PORT : await freePort();
  const started = await startDevIdentityProvider({ stateDir: STATE_DIR, keysFile, policy, port, consoleUrl: consoleUrl() });
  stoppers.push(() => started.provider.stop());
  return started;
}

/** Where browsers reach the API and its console: the user's AIRLOCK_CONSOLE_URL, else the API on loopback. */
function consoleUrl(): string {
  return process.env.AIRLOCK_CONSOLE_URL ?? `http://127.0.0.1:${API_PORT}`;
}

/** The console signs people in at the dev provider, unless the user named a provider of their own. */
function consoleEnv(started: DevIdentityProvider | undefined): NodeJS.ProcessEnv {
  if (!started || process.env.AIRLOCK_CONSOLE_OIDC_ISSUER) return {};
  return { AIRLOCK_CONSOLE_OIDC_ISSUER: started.provider.issuer, AIRLOCK_CONSOLE_OIDC_CLIENT_ID: CONSOLE_CLIENT_ID };
}

/**
 * Email for `email:` channels: the user's SMTP server (AIRLOCK_SMTP_URL), else a dev SMTP server on
 * SMTP_PORT that keeps messages in memory and prints one line per message. Links go to the console on
 * the API unless AIRLOCK_CONSOLE_URL says otherwise.
 */
async function devEmail(): Promise<{ env: NodeJS.ProcessEnv; summary: string }> {
  const env: NodeJS.ProcessEnv = {
    AIRLOCK_EMAIL_FROM: process.env.AIRLOCK_EMAIL_FROM ?? 'airlock@localhost',
    AIRLOCK_CONSOLE_URL: consoleUrl(),
  };
  if (process.env.AIRLOCK_SMTP_URL) return { env, summary: 'sent through AIRLOCK_SMTP_URL' };
  if (SMTP_PORT === 0) return { env, summary: 'off (AIRLOCK_DEV_SMTP_PORT=0): email channels record a failed delivery' };
  const port = (await isPortFree(SMTP_PORT)) ? SMTP_PORT : await freePort();
  const server = await startDevSmtpServer({ port, onMessage: (message) => console.log(`[email] ${emailLine(message)}`) });
  stoppers.push(() => server.stop());
  return { env: { ...env, AIRLOCK_SMTP_URL: server.url }, summary: `dev SMTP server ${server.url}   (each message printed here as [email]; kept in memory)` };
}

/** `to reviewers@example.com: Review requested: … → http://127.0.0.1:8080/console/actions/…` */
function emailLine(message: ReceivedEmail): string {
  const [link] = consoleLinksOf(message);
  return `to ${message.envelope.to.join(', ')}: ${message.subject}${link ? ` → ${link}` : ''}`;
}

function identityProviderBanner(started: DevIdentityProvider | undefined): string[] {
  if (!started) return ['  Sign-in      no dev identity provider (AIRLOCK_OIDC_PORT=0)'];
  const { issuer } = started.provider;
  const [agent] = started.agentIds;
  return [
    `  Sign-in      ${issuer}   (dev page: ${started.people.map(({ id }) => id).join(', ')}; any password)`,
    ...(agent
      ? [
          `  Agent token  source .airlock/dev-keys.env && curl -s -u ${agent}:$${devClientSecretVariable(agent)} -d grant_type=client_credentials ${issuer}/token`,
        ]
      : []),
    ...(process.env.AIRLOCK_PRINCIPALS_FILE
      ? [`               (AIRLOCK_PRINCIPALS_FILE is set: add ${issuer} to its tokenIssuers for the API to accept these tokens)`]
      : []),
  ];
}

/**
 * .airlock/ is its owner's alone (0700; every file in it 0600). The one exception: as root,
 * `--postgres` runs PostgreSQL as the `postgres` OS user, which must pass through .airlock/ to its
 * own 0700 data folder, so the folder may be entered (0711) but still not listed or read.
 */
function stateDirMode(): number {
  const postgresAsAnotherUser = WANTS_POSTGRES && !process.env.AIRLOCK_AUDIT_URL && process.getuid?.() === 0;
  return postgresAsAnotherUser ? 0o711 : PRIVATE_DIR_MODE;
}

/** AIRLOCK_AUDIT_URL for worker and API: the user's, else PostgreSQL with --postgres, else embedded SQLite. */
async function auditStore(): Promise<{ url: string; summary: string }> {
  const given = process.env.AIRLOCK_AUDIT_URL;
  if (given) {
    console.log(`[audit] store from AIRLOCK_AUDIT_URL${WANTS_POSTGRES ? ' (so --postgres starts no server)' : ''}`);
    return { url: given, summary: 'AIRLOCK_AUDIT_URL' };
  }
  if (WANTS_POSTGRES) {
    const { server, url } = await startDevPostgres({
      dataDir: join(STATE_DIR, 'postgres'),
      port: POSTGRES_PORT,
      // Its routine LOG lines are noise here; warnings and errors are not.
      onLine: (line) => {
        if (/\b(WARNING|ERROR|FATAL|PANIC):/.test(line)) console.log(`[postgres] ${line}`);
      },
      ownProcessGroup: true,
    });
    children.push(server.process);
    stoppers.push(() => server.stop());
    const moved = server.port === POSTGRES_PORT ? '' : ` (port ${POSTGRES_PORT} was taken)`;
    console.log(`[audit] PostgreSQL at ${url}${moved}`);
    return { url, summary: `${url}   (data in .airlock/postgres)` };
  }
  console.log('[audit] embedded store .airlock/audit.db');
  return { url: `sqlite:${join(STATE_DIR, 'audit.db')}`, summary: 'embedded, .airlock/audit.db' };
}

let shuttingDown = false;
async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log('stopping...');
  for (const stop of stoppers.reverse()) {
    await stop().catch((err: unknown) => console.error(err));
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// Children live in their own process groups: never leave them behind if we die unexpectedly.
process.on('exit', () => children.forEach((child) => child.running && child.child.kill('SIGKILL')));

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  await shutdown(1);
});
