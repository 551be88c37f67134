import { stringify } from 'yaml';

/** The four roles of a Temporal server; each cluster process runs one. */
export type TemporalService = 'frontend' | 'history' | 'matching' | 'worker';

/** One server process of the cluster: its service, its name in logs, and the two ports it alone uses. */
export interface ClusterProcess {
  service: TemporalService;
  /** e.g. `history-2`. */
  name: string;
  grpcPort: number;
  /** Ringpop's port: the processes find each other through the cluster_membership table and meet here. */
  membershipPort: number;
  /** The frontend's HTTP API (and Nexus endpoints): 10 above its gRPC port, as in Temporal's development configs (7233, 7243). */
  httpPort?: number | undefined;
}

/** How many processes of each service `npm run cluster` runs. */
export const CLUSTER_SHAPE: readonly { service: TemporalService; count: number }[] = [
  { service: 'frontend', count: 1 },
  { service: 'history', count: 2 },
  { service: 'matching', count: 2 },
  { service: 'worker', count: 1 },
];

/** Membership ports sit this far above the gRPC ports. */
export const MEMBERSHIP_PORT_OFFSET = 100;
/** The frontend's HTTP port sits this far above its gRPC port. */
export const HTTP_PORT_OFFSET = 10;

/**
 * The fixed port layout from the frontend's port up: frontend `base`, then history, matching and
 * worker processes on base+1, base+2, …; each membership port 100 above its gRPC port, the
 * frontend's HTTP API 10 above. Fixed, not
 * free ports, so a restarted process rejoins at the address the others remember.
 */
export function clusterLayout(frontendPort: number): ClusterProcess[] {
  const processes: ClusterProcess[] = [];
  let port = frontendPort;
  for (const { service, count } of CLUSTER_SHAPE) {
    for (let index = 1; index <= count; index++) {
      processes.push({
        service,
        name: count === 1 ? service : `${service}-${index}`,
        grpcPort: port,
        membershipPort: port + MEMBERSHIP_PORT_OFFSET,
        ...(service === 'frontend' ? { httpPort: port + HTTP_PORT_OFFSET } : {}),
      });
      port++;
    }
  }
  return processes;
}

export interface ClusterConfigInput {
  /** The process this file is for: its service gets this process's ports. */
  process: ClusterProcess;
  /** The whole layout: every other service's entry names its first process (the server reads them, e.g. the frontend's address). */
  layout: readonly ClusterProcess[];
  postgres: { host: string; port: number; user: string };
  numHistoryShards: number;
  logLevel: string;
}

/** The stores' databases, created and migrated by Temporal's SQL tool. */
export const TEMPORAL_DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

/**
 * The server's config file (`server --config-file`) for one process, in the shape of the module's
 * config/development-postgres12.yaml for v1.32: both stores on postgres12, membership broadcast on
 * 127.0.0.1, every port bound to loopback. No metrics or pprof listeners: six processes on one host
 * would need six ports each for them, and nothing here reads them.
 */
export function clusterConfigYaml(input: ClusterConfigInput): string {
  const { process: own, layout, postgres } = input;
  const frontend = layout.find((candidate) => candidate.service === 'frontend');
  if (!frontend) throw new Error('the cluster layout has no frontend');
  const datastore = (databaseName: string, maxConns: number): Record<string, unknown> => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: '',
      // Six processes share one PostgreSQL (max_connections 100) with the audit store's pools.
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const services: Record<string, unknown> = {};
  for (const { service } of CLUSTER_SHAPE) {
    const ports = service === own.service ? own : layout.find((candidate) => candidate.service === service);
    if (!ports) throw new Error(`the cluster layout has no ${service}`);
    services[service] = {
      rpc: { grpcPort: ports.grpcPort, membershipPort: ports.membershipPort, ...(ports.httpPort ? { httpPort: ports.httpPort } : {}), bindOnLocalHost: true },
    };
  }
  const config = {
    log: { stdout: true, level: input.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: input.numHistoryShards,
      datastores: {
        'postgres-default': datastore(TEMPORAL_DATABASES.default, 8),
        'postgres-visibility': datastore(TEMPORAL_DATABASES.visibility, 2),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${frontend.grpcPort}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
  };
  return `# Written by npm run cluster (scripts/lib/cluster-config.ts) for ${own.name}; rewritten on every start.\n${stringify(config)}`;
}
