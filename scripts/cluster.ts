import { join, resolve } from 'node:path';
import { loadPolicyFile } from '../policy';
import { isPortFree } from '../net/free-port';
import { startAirlockProcesses, type AirlockProcesses } from './lib/airlock-processes';
import { clusterLayout, type ClusterProcess } from './lib/cluster-config';
import {
  ensureNamespace,
  serverLogLine,
  setupTemporalSchema,
  startServerProcess,
  temporalServerBinaries,
  TEMPORAL_SERVER_VERSION,
  waitForFrontend,
  type StartedServerProcess,
} from './lib/cluster-temporal';
import { devIdentityKeys } from './lib/dev-identity-keys';
import { ensureDevPrincipals } from './lib/dev-principals';
import { startDevPostgres } from './lib/dev-postgres';
import type { ManagedProcess } from './lib/managed-process';
import { motoWorkerEnv, startMotoServer } from './lib/moto-server';
import { prettyLogLine } from './lib/pretty-log-line';
import { PRIVATE_DIR_MODE, privateStateDir } from './lib/private-state';
import { seedDemoAws } from './lib/seed-demo-aws';
import { PROJECT_ROOT } from './lib/tools';

/**
 * `npm run cluster`: a real Temporal cluster on this machine, no Docker. The server built from its
 * Go module (scripts/install-temporal-server.sh), its schema set up on a private PostgreSQL by
 * Temporal's SQL tool, each service its own process (frontend, two history, two matching, worker),
 * then two Airlock workers and two API instances with the audit store on the same PostgreSQL.
 * State under .airlock/cluster/ (AIRLOCK_CLUSTER_DIR); Ctrl-C stops everything, Airlock first.
 */
const STATE_DIR = resolve(process.env.AIRLOCK_CLUSTER_DIR ?? join(PROJECT_ROOT, '.airlock', 'cluster'));
const FRONTEND_PORT = Number(process.env.AIRLOCK_CLUSTER_PORT ?? 7333);
const POSTGRES_PORT = Number(process.env.AIRLOCK_CLUSTER_POSTGRES_PORT ?? 5434);
const API_PORTS = (process.env.AIRLOCK_CLUSTER_API_PORTS ?? '8180,8181').split(',').map(Number);
/** The server's own log level: `warn` keeps a healthy start quiet; `info` shows ring joins and shard moves. */
const LOG_LEVEL = process.env.AIRLOCK_CLUSTER_LOG_LEVEL ?? 'warn';
const NAMESPACE = 'default';
/** fixed at the first start: a cluster's shard count cannot change afterwards. */
const NUM_HISTORY_SHARDS = 4;
const POSTGRES_USER = 'airlock';

const stoppers: (() => Promise<void>)[] = [];
const children: ManagedProcess[] = [];
const timings: [string, number][] = [];

function print(prefix: string, format: (line: string) => string = (line) => line): (line: string) => void {
  // While stopping, every service warns about the peers leaving: noise, not news.
  return (line) => {
    if (!shuttingDown) console.log(`[${prefix}] ${format(line)}`);
  };
}

async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await step();
  timings.push([label, Date.now() - started]);
  return result;
}

async function main(): Promise<void> {
  const started = Date.now();
  const policyFile = process.env.AIRLOCK_POLICY_FILE ?? join(PROJECT_ROOT, 'config', 'example-policy.yaml');
  loadPolicyFile(policyFile); // a bad policy stops us here, before any server starts
  if (API_PORTS.length !== 2 || API_PORTS.some((port) => !Number.isInteger(port) || port <= 0)) {
    throw new Error(`AIRLOCK_CLUSTER_API_PORTS must name two ports, e.g. 8180,8181 (got ${process.env.AIRLOCK_CLUSTER_API_PORTS})`);
  }
  const binaries = temporalServerBinaries();
  const layout = clusterLayout(FRONTEND_PORT);
  await checkPortsFree(layout);

  // As root, PostgreSQL runs as the `postgres` OS user, which must pass through our folders to its own.
  const mode = process.getuid?.() === 0 ? 0o711 : PRIVATE_DIR_MODE;
  if (STATE_DIR === join(PROJECT_ROOT, '.airlock', 'cluster')) privateStateDir(join(PROJECT_ROOT, '.airlock'), mode);
  privateStateDir(STATE_DIR, mode);
  const configDir = join(STATE_DIR, 'config');
  privateStateDir(configDir);
  const { principalsFile, keysFile, created } = ensureDevPrincipals(STATE_DIR);
  const identity = devIdentityKeys(STATE_DIR);

  const postgres = await timed('PostgreSQL', () =>
    startDevPostgres({
      dataDir: join(STATE_DIR, 'postgres'),
      port: POSTGRES_PORT,
      onLine: (line) => {
        // Services starting together race to insert the same system rows (namespaces, task queues); the
        // loser's unique violation is expected and handled by Temporal, so not news either.
        if (/\b(WARNING|ERROR|FATAL|PANIC):/.test(line) && !line.includes('duplicate key value violates unique constraint')) print('postgres')(line);
      },
      ownProcessGroup: true,
    }),
  );
  children.push(postgres.server.process);
  stoppers.push(() => postgres.server.stop());
  const pg = { host: '127.0.0.1', port: postgres.server.port, user: POSTGRES_USER };

  await timed('schema (temporal, temporal_visibility)', () =>
    setupTemporalSchema({ sqlTool: binaries.sqlTool, schemaDir: binaries.schemaDir, ...pg, adminUrl: postgres.server.adminUrl }, print('schema')),
  );

  const servers = await startServers(binaries.server, configDir, layout, pg);
  const frontend = servers.find(({ spec }) => spec.service === 'frontend');
  if (!frontend) throw new Error('no frontend process');
  const address = `127.0.0.1:${frontend.spec.grpcPort}`;
  await timed('frontend answers', () => waitForFrontend(address, frontend.process));
  const namespace = await timed(`namespace ${NAMESPACE} and search attributes`, () => ensureNamespace(address, NAMESPACE));

  const moto = await startMotoServer({ onLine: () => undefined, ownProcessGroup: true });
  children.push(moto.process);
  stoppers.push(() => moto.stop());
  const awsEnv = motoWorkerEnv(moto.endpoint, await seedDemoAws(moto.endpoint));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...awsEnv,
    AIRLOCK_TEMPORAL_ADDRESS: address,
    AIRLOCK_TEMPORAL_NAMESPACE: NAMESPACE,
    AIRLOCK_POLICY_FILE: policyFile,
    AIRLOCK_PRINCIPALS_FILE: principalsFile,
    AIRLOCK_AUDIT_URL: postgres.url,
    // Off: two workers on one host would contend for its one fixed port.
    AIRLOCK_WORKER_METRICS_PORT: '0',
    ...identity.env,
  };
  const airlocks = await timed('Airlock workers and APIs', () => startAirlocks(env));
  for (const child of airlocks.flatMap(({ worker, api }) => [worker, api])) {
    void child.exit.then((code) => {
      if (!shuttingDown) {
        console.error(`${child.name} exited (${code}); stopping`);
        void shutdown(1);
      }
    });
  }
  timings.push(['total', Date.now() - started]);

  const width = Math.max(...timings.map(([label]) => label.length));
  console.log(
    [
      '',
      `A Temporal cluster (server ${TEMPORAL_SERVER_VERSION}, built from go.temporal.io/server) and Airlock are running.`,
      `  Frontend     ${address}, HTTP API http://127.0.0.1:${frontend.spec.httpPort}   (namespace ${NAMESPACE}${namespace.created ? ', registered now' : ''}; no authorizer, loopback only)`,
      ...servers.map(
        ({ spec, process }) =>
          `  ${spec.name.padEnd(12)} pid ${process.pid}  gRPC 127.0.0.1:${spec.grpcPort}  membership ${spec.membershipPort}  config ${join(configDir, `${spec.name}.yaml`)}`,
      ),
      `  PostgreSQL   ${postgres.server.adminUrl}   (databases temporal, temporal_visibility, airlock; data in ${join(STATE_DIR, 'postgres')})`,
      ...airlocks.map(
        ({ api, worker }, index) => `  Airlock ${index + 1}    API http://127.0.0.1:${API_PORTS[index]} (pid ${api.pid}), worker pid ${worker.pid}`,
      ),
      `  AWS          local moto server ${moto.endpoint} (demo buckets seeded; state in memory)`,
      `  Audit store  ${postgres.url}`,
      `  API keys     source ${keysFile}${created ? '   (new keys generated)' : ''}`,
      '  Temporal UI  not started (the UI server is its own Go module; `temporal workflow list --address ' + address + '` reads the cluster)',
      'Start-up times:',
      ...timings.map(([label, ms]) => `  ${label.padEnd(width)}  ${(ms / 1000).toFixed(1)} s`),
      'Ctrl-C stops everything: the APIs, the workers, moto, the Temporal services, PostgreSQL.',
      '',
    ].join('\n'),
  );
}

/** Every fixed port must be free: a second cluster, or another service, would otherwise half-join this one. */
async function checkPortsFree(layout: readonly ClusterProcess[]): Promise<void> {
  const wanted = [...layout.flatMap((spec) => [spec.grpcPort, spec.membershipPort, ...(spec.httpPort ? [spec.httpPort] : [])]), ...API_PORTS];
  const taken: number[] = [];
  for (const port of wanted) if (!(await isPortFree(port))) taken.push(port);
  if (taken.length > 0) {
    throw new Error(
      `port(s) ${taken.join(', ')} taken: is a cluster already running? Move it with AIRLOCK_CLUSTER_PORT (now ${FRONTEND_PORT}; ` +
        `the services use it and the ${layout.length - 1} ports above, membership 100 higher, HTTP 10 higher) or AIRLOCK_CLUSTER_API_PORTS`,
    );
  }
}

/** Starts every service process at once and waits until each listens; stopped frontend first, history last. */
async function startServers(
  server: string,
  configDir: string,
  layout: readonly ClusterProcess[],
  pg: { host: string; port: number; user: string },
): Promise<StartedServerProcess[]> {
  const servers = layout.map((spec) =>
    startServerProcess({
      server,
      configDir,
      spec,
      layout,
      postgres: pg,
      numHistoryShards: NUM_HISTORY_SHARDS,
      logLevel: LOG_LEVEL,
      onLine: print(spec.name, serverLogLine),
    }),
  );
  children.push(...servers.map(({ process }) => process));
  const stopOrder = ['frontend', 'worker', 'matching', 'history'];
  stoppers.push(async () => {
    for (const service of stopOrder) {
      await Promise.all(servers.filter(({ spec }) => spec.service === service).map(({ process }) => process.stop(20_000)));
    }
  });
  for (const { process } of servers) {
    // Not a reason to stop the rest: a cluster outlives one of its processes, which is what it is for.
    void process.exit.then((code) => {
      if (!shuttingDown) console.error(`[${process.name}] exited (${code ?? 'killed by a signal'}); the other processes go on\n${process.tail(10)}`);
    });
  }
  const ready = await Promise.all(servers.map(({ ready }) => ready));
  servers.forEach(({ spec }, index) => timings.push([`${spec.name} listening`, ready[index] ?? 0]));
  return servers;
}

/** Two worker and API pairs, as two hosts would run them; the second API's port is the only difference. */
async function startAirlocks(env: NodeJS.ProcessEnv): Promise<AirlockProcesses[]> {
  const airlocks = API_PORTS.map((apiPort, index) =>
    startAirlockProcesses({
      env: { ...env, AIRLOCK_API_PORT: String(apiPort) },
      apiPort,
      onWorkerLine: print(`worker-${index + 1}`, prettyLogLine),
      onApiLine: print(`api-${index + 1}`, prettyLogLine),
      ownProcessGroup: true,
    }),
  );
  for (const airlock of airlocks) children.push(airlock.worker, airlock.api);
  stoppers.push(async () => {
    await Promise.all(airlocks.map((airlock) => airlock.stop()));
  });
  await Promise.all(airlocks.map((airlock) => airlock.ready));
  return airlocks;
}

let shuttingDown = false;
async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log('stopping...');
  const started = Date.now();
  for (const stop of stoppers.reverse()) {
    await stop().catch((err: unknown) => console.error(err));
  }
  console.log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
