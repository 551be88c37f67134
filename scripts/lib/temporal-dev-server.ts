import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ManagedProcess, waitForPort } from './managed-process';
import { freePort } from './free-port';
import { toolPaths } from './tools';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

export interface DevServerOptions {
  /** SQLite file for persistence; omit for in-memory (tests). */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  /** No Web UI (tests). */
  headless?: boolean;
  /** The UI's remote codec (Airlock's /codec), so signed-in operators see encrypted payloads decoded. */
  codecEndpoint?: string;
  namespace?: string;
  onLine?: (line: string) => void;
  ownProcessGroup?: boolean;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` with Airlock's search attributes registered, and waits until it serves. */
export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const { temporalCli } = toolPaths();
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  args.push('--http-port', String(await freePort()), '--metrics-port', String(await freePort()));
  if (namespace !== 'default') args.push('--namespace', namespace);
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  let uiUrl: string | undefined;
  if (options.headless) {
    args.push('--headless');
  } else {
    const uiPort = options.uiPort ?? (await freePort());
    args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch'); // the news feed is fetched from the internet
    if (options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
    uiUrl = `http://127.0.0.1:${uiPort}`;
  }
  for (const attribute of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${attribute.name}=${attribute.type}`);

  const proc = ManagedProcess.start('temporal', temporalCli, args, { onLine: options.onLine, ownProcessGroup: options.ownProcessGroup });
  const address = `127.0.0.1:${port}`;
  await waitForPort(proc, '127.0.0.1', port, 60_000);
  await waitForNamespace(proc, address, namespace);
  await addMissingSearchAttributes(address, namespace);
  return { address, namespace, uiUrl, process: proc, stop: () => proc.stop() };
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
 * from before an attribute was added would refuse every new action that sets it. Add what is missing.
 */
async function addMissingSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTES.filter((attribute) => !customAttributes?.[attribute.name]);
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((attribute) => [attribute.name, INDEXED_VALUE_TYPES[attribute.type]])),
    });
  } finally {
    await connection.close();
  }
}
