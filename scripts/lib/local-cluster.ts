import { join } from 'node:path';
import { isPortFree } from '../../net/free-port';
import { startAirlockApi, startAirlockWorker } from './airlock-processes';
import { clusterLayout, type ClusterProcess } from './cluster-config';
import {
  ensureNamespace,
  setupTemporalSchema,
  startServerProcess,
  temporalServerBinaries,
  waitForFrontend,
  type TemporalServerBinaries,
} from './cluster-temporal';
import { devIdentityKeys } from './dev-identity-keys';
import { ensureDevPrincipals, type DevPrincipals } from './dev-principals';
import { startDevPostgres } from './dev-postgres';
import type { ManagedProcess } from './managed-process';
import { motoWorkerEnv, startMotoServer } from './moto-server';
import { PRIVATE_DIR_MODE, privateStateDir } from './private-state';
import { RestartableProcess } from './restartable-process';
import { seedDemoAws } from './seed-demo-aws';
import { startTemporalDevServer } from './temporal-dev-server';
import { startTemporalUi, temporalUiBinary } from './temporal-ui';

/** What a cluster on this machine is made of; `npm run cluster`, its failure test and its bench differ only here. */
export interface LocalClusterOptions {
  /** Config files, the PostgreSQL data and the dev principals live here (created private). */
  stateDir: string;
  /** The frontend's gRPC port; the other services take the ports above it (scripts/lib/cluster-config.ts). */
  frontendPort: number;
  postgresPort: number;
  /** One Airlock worker and one API per port. */
  apiPorts: readonly number[];
  policyFile: string;
  /** The Temporal server's log level. */
  logLevel: string;
  namespace: string;
  /** Fixed at the first start: a cluster's shard count cannot change afterwards. */
  numHistoryShards: number;
  /** Added to the Airlock processes' environment (e.g. test timeouts); per node, `node` counting from 0. */
  airlockEnv?: ((node: number) => NodeJS.ProcessEnv) | undefined;
  /** The AWS endpoint the workers use, given moto's (a test puts a recording proxy between them). */
  awsEndpoint?: ((motoEndpoint: string) => Promise<string>) | undefined;
  /** Every line every process prints, with the process's name. */
  onLine: (source: string, line: string) => void;
  /** A process exited that nobody killed or stopped. */
  onUnexpectedExit: (name: string, code: number | null, tail: string) => void;
  /**
   * `cluster` (the default): the server built from its Go module, one process per service.
   * `dev-server`: the Temporal CLI's one-process dev server (SQLite in memory) at frontendPort, with
   * everything else the same, to compare the two in one run (`npm run bench -- cluster`).
   */
  temporal?: 'cluster' | 'dev-server' | undefined;
  /** Start the Temporal UI (scripts/install-temporal-ui.sh) on this loopback port; none without. */
  uiPort?: number | undefined;
  /** Called before anything starts, so that a caller interrupted mid-start can stop what did. */
  onStarting?: ((partial: Pick<LocalCluster, 'stop' | 'children'>) => void) | undefined;
}

/** One Airlock host: a worker and an API, each killable and restartable on its own. */
export interface AirlockNode {
  apiPort: number;
  worker: RestartableProcess;
  api: RestartableProcess;
}

export interface LocalCluster {
  /** The frontend's gRPC address. */
  address: string;
  frontend: ClusterProcess;
  namespace: { name: string; created: boolean };
  /** Every Temporal service process, by name (`frontend`, `history-1`, …); empty for the dev server. */
  servers: Map<string, { spec: ClusterProcess; process: RestartableProcess }>;
  airlocks: AirlockNode[];
  postgres: { adminUrl: string; dataDir: string; auditUrl: string };
  /** The Temporal UI's URL, when `uiPort` asked for it. */
  uiUrl: string | undefined;
  moto: { endpoint: string };
  principals: DevPrincipals;
  /** What each start step took, in order, with the total last. */
  timings: [string, number][];
  configDir: string;
  /** The Airlock processes first (APIs, then workers draining), then moto, the services, PostgreSQL. */
  stop(): Promise<void>;
  /** Every child, for a last SIGKILL if the parent dies. */
  children(): ManagedProcess[];
}

/**
 * Starts a Temporal cluster and Airlock on it: the server built from its Go module, its schema set
 * up on a private PostgreSQL by Temporal's SQL tool, each service its own process (frontend, two
 * history, two matching, worker), moto seeded with the demo buckets, then an Airlock worker and API
 * per port with the audit store on the same PostgreSQL. A failed start stops what it started.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const devServer = options.temporal === 'dev-server';
  const binaries = devServer ? undefined : temporalServerBinaries();
  const uiBinary = options.uiPort === undefined ? undefined : temporalUiBinary(); // missing: fail before anything starts
  const layout = devServer
    ? [{ service: 'frontend' as const, name: 'dev-server', grpcPort: options.frontendPort, membershipPort: 0 }]
    : clusterLayout(options.frontendPort);
  await checkPortsFree(layout, options);
  const timings: [string, number][] = [];
  const timed = async <T>(label: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await step();
    timings.push([label, Date.now() - started]);
    return result;
  };
  const startedAt = Date.now();
  const stoppers: (() => Promise<void>)[] = [];
  const children: (() => ManagedProcess)[] = [];
  const stop = async (): Promise<void> => {
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne().catch((err: unknown) => console.error(err));
  };
  const allChildren = (): ManagedProcess[] => children.map((current) => current());
  options.onStarting?.({ stop, children: allChildren });

  try {
    // As root, PostgreSQL runs as the `postgres` OS user, which must pass through our folders to its own.
    privateStateDir(options.stateDir, process.getuid?.() === 0 ? 0o711 : PRIVATE_DIR_MODE);
    const configDir = join(options.stateDir, 'config');
    privateStateDir(configDir);
    const principals = ensureDevPrincipals(options.stateDir);
    const identity = devIdentityKeys(options.stateDir);

    const dataDir = join(options.stateDir, 'postgres');
    const postgres = await timed('PostgreSQL', () =>
      startDevPostgres({
        dataDir,
        port: options.postgresPort,
        onLine: (line) => {
          // Services starting together race to insert the same system rows (namespaces, task queues); the
          // loser's unique violation is expected and handled by Temporal, so not news.
          if (/\b(WARNING|ERROR|FATAL|PANIC):/.test(line) && !line.includes('duplicate key value violates unique constraint')) {
            options.onLine('postgres', line);
          }
        },
        ownProcessGroup: true,
      }),
    );
    children.push(() => postgres.server.process);
    stoppers.push(() => postgres.server.stop());
    const pg = { host: '127.0.0.1', port: postgres.server.port, user: 'airlock' };

    const servers = new Map<string, { spec: ClusterProcess; process: RestartableProcess }>();
    let address: string;
    if (binaries) {
      address = await startTemporalCluster(options, {
        binaries,
        layout,
        configDir,
        pg,
        adminUrl: postgres.server.adminUrl,
        servers,
        stoppers,
        children,
        timings,
        timed,
      });
    } else {
      const dev = await timed('Temporal dev server', () =>
        startTemporalDevServer({
          headless: true,
          port: options.frontendPort,
          namespace: options.namespace,
          onLine: (line) => options.onLine('dev-server', line),
          ownProcessGroup: true,
        }),
      );
      children.push(() => dev.process);
      stoppers.push(() => dev.stop());
      address = dev.address;
    }
    const frontend = layout[0];
    if (!frontend) throw new Error('no frontend process');
    const namespace = await timed(`namespace ${options.namespace} and search attributes`, () => ensureNamespace(address, options.namespace));
    let uiUrl: string | undefined;
    if (uiBinary && options.uiPort !== undefined) {
      const ui = await timed('Temporal UI', () =>
        startTemporalUi({
          binary: uiBinary,
          stateDir: options.stateDir,
          temporalAddress: address,
          port: options.uiPort,
          defaultNamespace: options.namespace,
          ownProcessGroup: true,
          onLine: (line) => {
            if (!line.includes('Loading config')) options.onLine('temporal-ui', line);
          },
        }),
      );
      children.push(() => ui.process);
      stoppers.push(() => ui.stop());
      uiUrl = ui.url;
    }

    const moto = await startMotoServer({ onLine: () => undefined, ownProcessGroup: true });
    children.push(() => moto.process);
    stoppers.push(() => moto.stop());
    const roleArn = await seedDemoAws(moto.endpoint);
    const awsEnv = motoWorkerEnv((await options.awsEndpoint?.(moto.endpoint)) ?? moto.endpoint, roleArn);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...awsEnv,
      AIRLOCK_TEMPORAL_ADDRESS: address,
      AIRLOCK_TEMPORAL_NAMESPACE: options.namespace,
      AIRLOCK_POLICY_FILE: options.policyFile,
      AIRLOCK_PRINCIPALS_FILE: principals.principalsFile,
      AIRLOCK_AUDIT_URL: postgres.url,
      // Off: two workers on one host would contend for its one fixed port.
      AIRLOCK_WORKER_METRICS_PORT: '0',
      ...identity.env,
      // The APIs' links.temporalUi point there.
      ...(uiUrl ? { AIRLOCK_TEMPORAL_UI_URL: uiUrl } : {}),
    };
    const airlocks = await timed('Airlock workers and APIs', () => startAirlocks(options, env, stoppers, children));
    timings.push(['total', Date.now() - startedAt]);
    return {
      address,
      frontend,
      namespace: { name: options.namespace, created: namespace.created },
      servers,
      airlocks,
      postgres: { adminUrl: postgres.server.adminUrl, dataDir, auditUrl: postgres.url },
      uiUrl,
      moto: { endpoint: moto.endpoint },
      principals,
      timings,
      configDir,
      stop,
      children: allChildren,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A worker and an API per port, as separate hosts would run them; the API's port is their only difference. */
async function startAirlocks(
  options: LocalClusterOptions,
  env: NodeJS.ProcessEnv,
  stoppers: (() => Promise<void>)[],
  children: (() => ManagedProcess)[],
): Promise<AirlockNode[]> {
  const airlocks = options.apiPorts.map((apiPort, index): AirlockNode => {
    const nodeEnv = { ...env, ...options.airlockEnv?.(index), AIRLOCK_API_PORT: String(apiPort) };
    const worker = new RestartableProcess(
      `worker-${index + 1}`,
      () => startAirlockWorker({ env: nodeEnv, onLine: (line) => options.onLine(`worker-${index + 1}`, line), ownProcessGroup: true }),
      options.onUnexpectedExit,
    );
    const api = new RestartableProcess(
      `api-${index + 1}`,
      () => startAirlockApi({ env: nodeEnv, apiPort, onLine: (line) => options.onLine(`api-${index + 1}`, line), ownProcessGroup: true }),
      options.onUnexpectedExit,
    );
    children.push(
      () => worker.process,
      () => api.process,
    );
    return { apiPort, worker, api };
  });
  stoppers.push(async () => {
    // APIs first, so no request arrives for a worker that is going away; the workers get time to drain.
    await Promise.all(airlocks.map(({ api }) => api.stop()));
    await Promise.all(airlocks.map(({ worker }) => worker.stop(30_000)));
  });
  await Promise.all(airlocks.flatMap(({ worker, api }) => [worker.ready, api.ready]));
  return airlocks;
}

/** Every fixed port must be free: a second cluster, or another service, would otherwise half-join this one. */
async function checkPortsFree(layout: readonly ClusterProcess[], options: LocalClusterOptions): Promise<void> {
  const wanted = [
    ...layout.flatMap((spec) => [spec.grpcPort, spec.membershipPort, ...(spec.httpPort ? [spec.httpPort] : [])]),
    ...options.apiPorts,
    ...(options.uiPort === undefined ? [] : [options.uiPort]),
  ].filter((port) => port > 0);
  const taken: number[] = [];
  for (const port of wanted) if (!(await isPortFree(port))) taken.push(port);
  if (taken.length > 0) {
    throw new Error(
      `port(s) ${taken.join(', ')} taken: is a cluster already running? Move it with AIRLOCK_CLUSTER_PORT (now ${options.frontendPort}; ` +
        `the services use it and the ${layout.length - 1} ports above, membership 100 higher, HTTP 10 higher), AIRLOCK_CLUSTER_API_PORTS or AIRLOCK_CLUSTER_UI_PORT`,
    );
  }
}

/** The service processes on their database: the first alone (it writes the cluster's metadata), then the rest together. */
async function startTemporalCluster(
  options: LocalClusterOptions,
  parts: {
    binaries: TemporalServerBinaries;
    layout: readonly ClusterProcess[];
    configDir: string;
    pg: { host: string; port: number; user: string };
    adminUrl: string;
    servers: Map<string, { spec: ClusterProcess; process: RestartableProcess }>;
    stoppers: (() => Promise<void>)[];
    children: (() => ManagedProcess)[];
    timings: [string, number][];
    /** Runs a step and adds its time to `timings`. */
    timed: <T>(label: string, step: () => Promise<T>) => Promise<T>;
  },
): Promise<string> {
  const { binaries, layout, configDir, pg, servers, stoppers, children, timings, timed } = parts;
  await timed('schema (temporal, temporal_visibility)', () =>
    setupTemporalSchema({ sqlTool: binaries.sqlTool, schemaDir: binaries.schemaDir, ...pg, adminUrl: parts.adminUrl }, (line) =>
      options.onLine('schema', line),
    ),
  );
  stoppers.push(async () => {
    // Frontend first (no new calls), history last (it owns the shards the others write through).
    for (const service of ['frontend', 'worker', 'matching', 'history']) {
      await Promise.all([...servers.values()].filter(({ spec }) => spec.service === service).map(({ process }) => process.stop(20_000)));
    }
  });
  const readyMs = new Map<string, number>();
  for (const spec of layout) {
    const restartable = new RestartableProcess(
      spec.name,
      () => {
        const started = startServerProcess({
          server: binaries.server,
          configDir,
          spec,
          layout,
          postgres: pg,
          numHistoryShards: options.numHistoryShards,
          logLevel: options.logLevel,
          onLine: (line) => options.onLine(spec.name, line),
        });
        void started.ready.then((ms) => readyMs.set(spec.name, ms)).catch(() => undefined);
        return started;
      },
      // A cluster outlives one of its processes: that is what it is for. Say so, go on.
      options.onUnexpectedExit,
    );
    servers.set(spec.name, { spec, process: restartable });
    children.push(() => restartable.process);
    // On an empty database, processes starting beside the first race it to insert the cluster's
    // metadata row and the losers exit ("Failed to apply cluster metadata").
    if (servers.size === 1) await restartable.ready;
  }
  for (const { spec, process } of servers.values()) {
    await process.ready;
    timings.push([`${spec.name} listening`, readyMs.get(spec.name) ?? 0]);
  }
  const frontend = layout.find((spec) => spec.service === 'frontend');
  const frontendProcess = frontend && servers.get(frontend.name)?.process;
  if (!frontend || !frontendProcess) throw new Error('no frontend process');
  const address = `127.0.0.1:${frontend.grpcPort}`;
  await timed('frontend answers', () => waitForFrontend(address, frontendProcess.process));
  return address;
}
