import { join, resolve } from 'node:path';
import { loadPolicyFile } from '../policy';
import { TEMPORAL_SERVER_VERSION, serverLogLine } from './lib/cluster-temporal';
import { TEMPORAL_UI_VERSION } from './lib/temporal-ui';
import { startLocalCluster, type LocalCluster } from './lib/local-cluster';
import { prettyLogLine } from './lib/pretty-log-line';
import { PRIVATE_DIR_MODE, privateStateDir } from './lib/private-state';
import { PROJECT_ROOT } from './lib/tools';

/**
 * `npm run cluster`: a real Temporal cluster on this machine, no Docker (scripts/lib/local-cluster.ts):
 * the server built from its Go module, each service its own process, two Airlock workers and two
 * APIs with the audit store on the same PostgreSQL. State under .airlock/cluster/
 * (AIRLOCK_CLUSTER_DIR); Ctrl-C stops everything, Airlock first.
 */
const DEFAULT_STATE_DIR = join(PROJECT_ROOT, '.airlock', 'cluster');
const STATE_DIR = resolve(process.env.AIRLOCK_CLUSTER_DIR ?? DEFAULT_STATE_DIR);
const FRONTEND_PORT = Number(process.env.AIRLOCK_CLUSTER_PORT ?? 7333);
const POSTGRES_PORT = Number(process.env.AIRLOCK_CLUSTER_POSTGRES_PORT ?? 5434);
const API_PORTS = (process.env.AIRLOCK_CLUSTER_API_PORTS ?? '8180,8181').split(',').map(Number);
const UI_PORT = Number(process.env.AIRLOCK_CLUSTER_UI_PORT ?? 8280);
/** The server's own log level: `warn` keeps a healthy start quiet; `info` shows ring joins and shard moves. */
const LOG_LEVEL = process.env.AIRLOCK_CLUSTER_LOG_LEVEL ?? 'warn';
const NAMESPACE = 'default';

/** The cluster, or while it starts the part that did. */
let cluster: Pick<LocalCluster, 'stop' | 'children'> | undefined;
let shuttingDown = false;

function print(source: string, line: string): void {
  // While stopping, every service warns about the peers leaving: noise, not news.
  if (shuttingDown) return;
  const format = source.startsWith('worker-') || source.startsWith('api-') ? prettyLogLine : serverLogLine;
  console.log(`[${source}] ${format(line)}`);
}

async function main(): Promise<void> {
  const policyFile = process.env.AIRLOCK_POLICY_FILE ?? join(PROJECT_ROOT, 'config', 'example-policy.yaml');
  loadPolicyFile(policyFile); // a bad policy stops us here, before any server starts
  if (!Number.isInteger(UI_PORT) || UI_PORT <= 0) throw new Error(`AIRLOCK_CLUSTER_UI_PORT must be a port (got ${process.env.AIRLOCK_CLUSTER_UI_PORT})`);
  if (API_PORTS.length !== 2 || API_PORTS.some((port) => !Number.isInteger(port) || port <= 0)) {
    throw new Error(`AIRLOCK_CLUSTER_API_PORTS must name two ports, e.g. 8180,8181 (got ${process.env.AIRLOCK_CLUSTER_API_PORTS})`);
  }
  if (STATE_DIR === DEFAULT_STATE_DIR) privateStateDir(join(PROJECT_ROOT, '.airlock'), process.getuid?.() === 0 ? 0o711 : PRIVATE_DIR_MODE);
  const started = await startLocalCluster({
    stateDir: STATE_DIR,
    frontendPort: FRONTEND_PORT,
    postgresPort: POSTGRES_PORT,
    apiPorts: API_PORTS,
    uiPort: UI_PORT,
    policyFile,
    logLevel: LOG_LEVEL,
    namespace: NAMESPACE,
    numHistoryShards: 4,
    onLine: print,
    onUnexpectedExit: (name, code, tail) => {
      if (shuttingDown) return;
      if (name.startsWith('worker-') || name.startsWith('api-')) {
        console.error(`${name} exited (${code ?? 'killed by a signal'}); stopping\n${tail}`);
        void shutdown(1);
      } else {
        // Not a reason to stop the rest: a cluster outlives one of its processes, which is what it is for.
        console.error(`[${name}] exited (${code ?? 'killed by a signal'}); the other processes go on\n${tail}`);
      }
    },
    onStarting: (partial) => (cluster = partial),
  });
  console.log(banner(started));
}

function banner(started: LocalCluster): string {
  const { address, frontend, namespace, timings } = started;
  const width = Math.max(...timings.map(([label]) => label.length));
  return [
    '',
    `A Temporal cluster (server ${TEMPORAL_SERVER_VERSION}, built from go.temporal.io/server) and Airlock are running.`,
    `  Frontend     ${address}, HTTP API http://127.0.0.1:${frontend.httpPort}   (namespace ${namespace.name}${namespace.created ? ', registered now' : ''}; no authorizer, loopback only)`,
    ...[...started.servers.values()].map(
      ({ spec, process }) =>
        `  ${spec.name.padEnd(12)} pid ${process.process.pid}  gRPC 127.0.0.1:${spec.grpcPort}  membership ${spec.membershipPort}  config ${join(started.configDir, `${spec.name}.yaml`)}`,
    ),
    `  PostgreSQL   ${started.postgres.adminUrl}   (databases temporal, temporal_visibility, airlock; data in ${started.postgres.dataDir})`,
    ...started.airlocks.map(
      ({ api, worker, apiPort }, index) =>
        `  Airlock ${index + 1}    API http://127.0.0.1:${apiPort} (pid ${api.process.pid}), worker pid ${worker.process.pid}`,
    ),
    `  AWS          local moto server ${started.moto.endpoint} (demo buckets seeded; state in memory)`,
    `  Audit store  ${started.postgres.auditUrl}`,
    `  API keys     source ${started.principals.keysFile}${started.principals.created ? '   (new keys generated)' : ''}`,
    `  Temporal UI  ${started.uiUrl}   (${TEMPORAL_UI_VERSION}, built from github.com/temporalio/ui-server/v2; no sign-in, loopback only)`,
    'Start-up times:',
    ...timings.map(([label, ms]) => `  ${label.padEnd(width)}  ${(ms / 1000).toFixed(1)} s`),
    'Ctrl-C stops everything: the APIs, the workers, moto, the Temporal UI, the Temporal services, PostgreSQL.',
    '',
  ].join('\n');
}

async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log('stopping...');
  const started = Date.now();
  await cluster?.stop();
  console.log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// Children live in their own process groups: never leave them behind if we die unexpectedly.
process.on('exit', () => cluster?.children().forEach((child) => child.running && child.child.kill('SIGKILL')));

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  await shutdown(1);
});
