import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { Client } from 'pg';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { clusterConfigYaml, TEMPORAL_DATABASES, type ClusterProcess } from './cluster-config';
import { ManagedProcess, waitForPort } from './managed-process';
import { PRIVATE_FILE_MODE } from './private-state';
import { PROJECT_ROOT } from './tools';
import { jsonLogRecord } from './pretty-log-line';

/** The server version scripts/install-temporal-server.sh builds and these scripts expect. */
export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
/** The Go toolchain the server's go.mod needs (newer than many machines' Go). */
export const TEMPORAL_GO_TOOLCHAIN = 'go1.27.3';

const SERVER_DIR = join(PROJECT_ROOT, '.tools', 'temporal-server');

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** The module's schema/postgresql/v12 folder, in the Go module cache. */
  schemaDir: string;
}

/**
 * The binaries scripts/install-temporal-server.sh built (run it first), and the schema files of the
 * same module version from the Go module cache (`go mod download` fetches them if it was cleaned).
 */
export function temporalServerBinaries(): TemporalServerBinaries {
  const server = join(SERVER_DIR, 'bin', 'server');
  const sqlTool = join(SERVER_DIR, 'bin', 'temporal-sql-tool');
  const stamp = join(SERVER_DIR, 'version');
  const built = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : undefined;
  if (!existsSync(server) || !existsSync(sqlTool) || built !== TEMPORAL_SERVER_VERSION) {
    throw new Error(`the Temporal server ${TEMPORAL_SERVER_VERSION} is not built: run \`bash scripts/install-temporal-server.sh\``);
  }
  const schemaDir = join(moduleSourceDir(), 'schema', 'postgresql', 'v12');
  if (!existsSync(schemaDir)) throw new Error(`${schemaDir} is missing: is the module cache intact?`);
  return { server, sqlTool, schemaDir };
}

/**
 * The server module's source folder in the Go module cache: `go mod download` prints it, and
 * downloads the module again if the cache was cleaned since the build.
 */
function moduleSourceDir(): string {
  let output: string;
  try {
    output = execFileSync('go', ['mod', 'download', '-json', `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`], {
      encoding: 'utf8',
      cwd: SERVER_DIR, // outside any module, so no go.mod of ours is read
      env: { ...process.env, GOTOOLCHAIN: TEMPORAL_GO_TOOLCHAIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    throw new Error(`\`go mod download go.temporal.io/server@${TEMPORAL_SERVER_VERSION}\` failed (is Go installed?): ${(err as Error).message}`);
  }
  const { Dir: dir } = JSON.parse(output) as { Dir?: string };
  if (!dir) throw new Error(`\`go mod download\` named no source folder for go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`);
  return dir;
}

export interface SchemaTarget {
  sqlTool: string;
  schemaDir: string;
  host: string;
  port: number;
  user: string;
  /** The `postgres` database URL, to see what exists already. */
  adminUrl: string;
}

/**
 * Creates and migrates the two Temporal databases with Temporal's own SQL tool, as its docs do:
 * `create-database`, `setup-schema -v 0.0` (the version table), then `update-schema -d versioned/`
 * to the newest version. A database from an earlier start only gets `update-schema`, which is a
 * no-op when it is current and the upgrade path when the server version moved.
 */
export async function setupTemporalSchema(target: SchemaTarget, onLine: (line: string) => void): Promise<void> {
  const stores = [
    { database: TEMPORAL_DATABASES.default, versioned: join(target.schemaDir, 'temporal', 'versioned') },
    { database: TEMPORAL_DATABASES.visibility, versioned: join(target.schemaDir, 'visibility', 'versioned') },
  ];
  for (const { database, versioned } of stores) {
    const sql = async (...command: string[]): Promise<void> => {
      const args = ['--plugin', 'postgres12', '--ep', target.host, '-p', String(target.port), '-u', target.user, '--db', database, ...command];
      onLine(`temporal-sql-tool --db ${database} ${command.join(' ')}`);
      const proc = ManagedProcess.start('temporal-sql-tool', target.sqlTool, args);
      const code = await proc.exit;
      if (code !== 0) throw new Error(`temporal-sql-tool --db ${database} ${command.join(' ')} failed (exit ${code}):\n${proc.tail()}`);
    };
    const state = await schemaState(target.adminUrl, database);
    if (state === 'absent') await sql('create-database');
    if (state !== 'versioned') await sql('setup-schema', '-v', '0.0');
    await sql('update-schema', '-d', versioned);
  }
}

/** Whether the database exists, and whether the SQL tool's version table is in it. */
async function schemaState(adminUrl: string, database: string): Promise<'absent' | 'empty' | 'versioned'> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) return 'absent';
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const table = await client.query("select to_regclass('public.schema_version') as name");
    return (table.rows[0] as { name: string | null } | undefined)?.name ? 'versioned' : 'empty';
  } finally {
    await client.end();
  }
}

export interface StartedServerProcess {
  spec: ClusterProcess;
  process: ManagedProcess;
  /** Resolves with the milliseconds from spawn until its gRPC port accepts connections. */
  ready: Promise<number>;
}

/**
 * Writes the process's config file into configDir and starts `server --config-file … start
 * --service=…` in its own process group. `--allow-no-auth`: no authorizer, as in Temporal's own
 * development configs; every port is on 127.0.0.1.
 */
export function startServerProcess(options: {
  server: string;
  configDir: string;
  spec: ClusterProcess;
  layout: readonly ClusterProcess[];
  postgres: { host: string; port: number; user: string };
  numHistoryShards: number;
  logLevel: string;
  onLine: (line: string) => void;
}): StartedServerProcess {
  const { spec } = options;
  const configFile = join(options.configDir, `${spec.name}.yaml`);
  const yaml = clusterConfigYaml({
    process: spec,
    layout: options.layout,
    postgres: options.postgres,
    numHistoryShards: options.numHistoryShards,
    logLevel: options.logLevel,
  });
  writeFileSync(configFile, yaml, { mode: PRIVATE_FILE_MODE });
  const started = Date.now();
  const proc = ManagedProcess.start(spec.name, options.server, ['--config-file', configFile, '--allow-no-auth', 'start', '--service', spec.service], {
    onLine: options.onLine,
    ownProcessGroup: true,
  });
  // History owns shards and matching owns task queues only once they joined the ring: 2 min covers a slow first join.
  const ready = waitForPort(proc, '127.0.0.1', spec.grpcPort, 120_000).then(() => Date.now() - started);
  return { spec, process: proc, ready };
}

/** Polls the frontend until it answers a real call (it listens before it can reach history and persistence). */
export async function waitForFrontend(address: string, proc: ManagedProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`the frontend exited:\n${proc.tail()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.getClusterInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Temporal frontend at ${address} did not answer within ${timeoutMs / 1000} s (${lastError})`);
}

const INDEXED_VALUE_TYPES = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
} as const;

const RETENTION = '7 days';

/**
 * The namespace (registered unless it exists, 7 days' retention) with Airlock's search attributes,
 * what `temporal operator namespace create` and `temporal operator search-attribute create` do. On
 * SQL visibility a custom attribute maps to a spare column of its type; adding it is a metadata write.
 */
export async function ensureNamespace(address: string, namespace: string): Promise<{ created: boolean; attributesAdded: string[] }> {
  const connection = await Connection.connect({ address });
  try {
    let created = false;
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) });
      created = true;
    }
    // Registration reaches the other services through their namespace cache (refreshed every 2 s).
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = SEARCH_ATTRIBUTES.filter((attribute) => !customAttributes?.[attribute.name]);
        if (missing.length > 0) {
          await connection.operatorService.addSearchAttributes({
            namespace,
            searchAttributes: Object.fromEntries(missing.map((attribute) => [attribute.name, INDEXED_VALUE_TYPES[attribute.type]])),
          });
        }
        return { created, attributesAdded: missing.map((attribute) => attribute.name) };
      } catch (err) {
        if (Date.now() > deadline || !isNotFound(err)) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
}

function isNotFound(err: unknown): boolean {
  // gRPC NOT_FOUND (5): the namespace is not registered, or not yet in this frontend's cache.
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 5;
}

/** Fields of the server's JSON log lines that say nothing at a terminal (the stack trace is in the file the line names). */
const HIDDEN_LOG_FIELDS = new Set(['level', 'ts', 'msg', 'logging-call-at', 'stacktrace']);

/**
 * One JSON log line of the server (zap) as a person reads it: level, message, then the other fields
 * as key=value, without the Go stack trace. Lines that are not JSON pass through unchanged.
 */
export function serverLogLine(line: string): string {
  const fields = jsonLogRecord(line);
  if (!fields) return line;
  const rest = Object.entries(fields)
    .filter(([key]) => !HIDDEN_LOG_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [
    String(fields.level ?? '')
      .toUpperCase()
      .padEnd(5),
    String(fields.msg ?? ''),
    ...rest,
  ].join(' ');
}
