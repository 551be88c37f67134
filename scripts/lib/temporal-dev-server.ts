import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ManagedProcess, waitForPort } from './managed-process';
import { freePort } from '../../net/free-port';
import { makeFilesPrivate, PRIVATE_DIR_MODE, sqliteFiles } from './private-state';
import { toolPaths } from './tools';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

const LOOPBACK = '127.0.0.1';

/**
 * Dynamic config the dev server starts with. `history.transferProcessorMaxPollRPS` caps how often a
 * history shard reads its transfer queue: at the server's default of 20, the task made by an
 * activity's completion waits for the next read, up to 50 ms, on the dev server's single shard.
 * Measured on 2026-12-05 (docs/benchmarks.md): approve → executed 78 → 37 ms, an auto-allowed
 * action 101 → 50 ms, the floors alike; the dev server's CPU per action changed within run-to-run
 * noise (20.3 and 21.1 ms at 20, 20.8 and 24.4 ms at 1,000, alternating runs). Its store is SQLite
 * on this machine, where a read costs next to nothing.
 *
 * `system.forceSearchAttributesCacheRefreshOnRead`: unless it is given, the CLI turns the server's
 * search-attribute cache off, so every upsert's validation and every visibility write reads the
 * cluster metadata (and for an action's attributes the namespace) from SQLite again: 12.5 and 6
 * reads per approval (the server's metrics, 2026-12-05). A production server caches them for
 * 60 s, as this one now does: in eight alternating throughput runs the dev server's CPU per
 * auto-allowed action had a median of 21.4 ms with the cache against 28.0 ms without
 * (docs/benchmarks.md). The price is that an attribute added while the server runs is seen up to
 * 60 s later, so one added to an older file at start is followed by a restart (`startOnce`).
 */
export const DEV_SERVER_DYNAMIC_CONFIG = {
  'history.transferProcessorMaxPollRPS': 1000,
  'system.forceSearchAttributesCacheRefreshOnRead': false,
} as const satisfies Readonly<Record<string, number | boolean>>;

export interface DevServerOptions {
  /** SQLite file for persistence; omit for in-memory (tests). */
  dbFile?: string | undefined;
  port?: number | undefined;
  uiPort?: number | undefined;
  /** No Web UI (tests). */
  headless?: boolean | undefined;
  /** The UI's remote codec (Airlock's /codec), so signed-in operators see encrypted payloads decoded. */
  codecEndpoint?: string | undefined;
  namespace?: string | undefined;
  onLine?: ((line: string) => void) | undefined;
  ownProcessGroup?: boolean | undefined;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string | undefined;
  /** The server's Prometheus metrics (loopback only). */
  metricsUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with Airlock's search attributes registered, and waits until it
 * serves. Every port it opens (frontend, HTTP API, metrics, Web UI) is bound to 127.0.0.1 only, and
 * its SQLite file is its owner's alone: a dev server checks no identity, so whoever reaches it or
 * reads its file sees (and can change) every workflow.
 */
export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      // A free port asked of the OS can be taken by another process (a moto or PostgreSQL starting
      // beside it) before the server binds it: pick new ones and try again.
      if (attempt >= PORT_RACE_ATTEMPTS || !/address already in use/.test(String((err as Error).message))) throw err;
    }
  }
}

const PORT_RACE_ATTEMPTS = 3;

/** `restarted`: this is the start after adding missing attributes, which must find none missing. */
async function startOnce(options: DevServerOptions, restarted = false): Promise<DevServer> {
  const { temporalCli } = toolPaths();
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', LOOPBACK, '--port', String(port), '--log-level', 'warn'];
  const metricsPort = await freePort();
  args.push('--http-port', String(await freePort()), '--metrics-port', String(metricsPort));
  if (namespace !== 'default') args.push('--namespace', namespace);
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true, mode: PRIVATE_DIR_MODE });
    makeFilesPrivate(sqliteFiles(options.dbFile)); // a file from an older version was made 0644
    args.push('--db-filename', options.dbFile);
  }
  let uiUrl: string | undefined;
  if (options.headless) {
    args.push('--headless');
  } else {
    const uiPort = options.uiPort ?? (await freePort());
    // The UI would follow --ip by default; said explicitly so a CLI change of that default cannot open it.
    args.push('--ui-ip', LOOPBACK, '--ui-port', String(uiPort), '--ui-disable-news-fetch'); // the news feed is fetched from the internet
    if (options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
    uiUrl = `http://127.0.0.1:${uiPort}`;
  }
  for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${value}`);
  for (const attribute of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${attribute.name}=${attribute.type}`);

  // umask 077: the SQLite file it creates, and the -wal/-shm files SQLite gives the same mode, are 0600.
  const proc = ManagedProcess.start('temporal', temporalCli, args, { onLine: options.onLine, ownProcessGroup: options.ownProcessGroup, umask: 0o077 });
  const address = `127.0.0.1:${port}`;
  await waitForPort(proc, '127.0.0.1', port, 60_000);
  await waitForNamespace(proc, address, namespace);
  const added = await addMissingSearchAttributes(address, namespace);
  if (added.length > 0) {
    await proc.stop();
    // Added, then found missing again after a restart: the server did not keep them.
    if (restarted) throw new Error(`the Temporal dev server did not keep the search attributes ${added.join(', ')}`);
    // The server's services cache the attributes they read before the addition for up to 60 s:
    // start again, and every service reads them fresh.
    return startOnce(options, true);
  }
  return { address, namespace, uiUrl, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, process: proc, stop: () => proc.stop() };
}

/** The frontend listens before the namespace is ready; poll until describe succeeds. */
async function waitForNamespace(proc: ManagedProcess, address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } catch (err) {
        if (Date.now() > deadline || !proc.running) {
          throw new Error(`Temporal dev server not ready: ${(err as Error).message}\n${proc.tail()}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await connection.close();
  }
}

const INDEXED_VALUE_TYPES = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
} as const;

/**
 * `--search-attribute` registers attributes only when the SQLite file is new: a `.airlock/temporal.db`
 * from before an attribute was added would refuse every new action that sets it. Adds what is
 * missing and returns its names.
 */
async function addMissingSearchAttributes(address: string, namespace: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTES.filter((attribute) => !customAttributes?.[attribute.name]);
    if (missing.length === 0) return [];
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((attribute) => [attribute.name, INDEXED_VALUE_TYPES[attribute.type]])),
    });
    return missing.map((attribute) => attribute.name);
  } finally {
    await connection.close();
  }
}
