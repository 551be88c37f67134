import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditLog } from '../audit/open-store';
import { generateApiKey } from '../config/principals';
import { exportMarkdown, exportTable, type AuditExportResults, type ExportResult, type StoreResult } from './audit-export-report';
import { seedAuditLog, type SeedResult } from './lib/audit-events';
import { EXPORT_PATHS, type ExportMode } from './lib/export-protocol';
import { startExportServer } from './lib/export-server-process';
import { withBenchPostgres } from './lib/bench-postgres';
import { describeMachine, machine, writeDocSection, writeResults } from './lib/publish';
import { readExport } from './lib/stream-export';
import { count } from './lib/table';

/**
 * Does `GET /v1/audit` stream 100,000 events without holding them all in memory? Seeds a fresh
 * store, then serves the real route from a child process (so its RSS is measured alone) and reads
 * the export incrementally. A buffering variant shows what holding them all would cost.
 */
const EVENTS = 100_000;
const ACTIONS = 1_000;
const BATCH = 1_000;
const NAME = 'audit-export';

/** One export to measure: which route, and an optional heap cap. */
interface ExportScenario {
  mode: ExportMode;
  /**
   * Caps the child's old generation (V8 --max-old-space-size) well below what holding the events
   * takes (see the buffered row): the streaming export must still pass.
   */
  oldSpaceMiB?: number;
}

const SQLITE_EXPORTS: ExportScenario[] = [{ mode: 'streaming' }, { mode: 'streaming', oldSpaceMiB: 32 }, { mode: 'buffered' }];
const POSTGRES_EXPORTS: ExportScenario[] = [{ mode: 'streaming' }];

export async function auditExportBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-audit-'));
  const key = generateApiKey();
  try {
    const stores: StoreResult[] = [];
    const skipped: string[] = [];
    stores.push(await benchStore('sqlite', `sqlite:${join(dir, 'audit.db')}`, SQLITE_EXPORTS, key));
    const postgres = await withBenchPostgres((url) => benchStore('postgres', url, POSTGRES_EXPORTS, key));
    if ('result' in postgres) {
      stores.push(postgres.result);
    } else {
      skipped.push(`postgres: ${postgres.skipped}`);
      console.log(`postgres: row skipped: ${postgres.skipped}`);
    }

    const results: AuditExportResults = { benchmark: NAME, machine: machine(), events: EVENTS, actions: ACTIONS, batch: BATCH, stores, skipped };
    console.log(`\n${describeMachine(results.machine)}\n\n${exportTable(results)}\n`);
    console.log(`wrote ${writeResults(NAME, results)}`);
    console.log(`wrote ${writeDocSection(NAME, exportMarkdown(results))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seeds a fresh store through AuditLog.append, then measures each export from a new child. */
async function benchStore(store: string, url: string, scenarios: ExportScenario[], key: string): Promise<StoreResult> {
  const audit = await openAuditLog(url);
  let seed: SeedResult;
  try {
    console.log(`${store}: seeding ${count(EVENTS)} events…`);
    seed = await seedAuditLog(audit, { events: EVENTS, actions: ACTIONS, batch: BATCH });
  } finally {
    await audit.close();
  }
  const exports: ExportResult[] = [];
  for (const scenario of scenarios) {
    const label = describeScenario(scenario);
    console.log(`${store}: ${label} export…`);
    exports.push({ label, ...(await measureExport(url, scenario, key)) });
  }
  return { store, seed, exports };
}

function describeScenario({ mode, oldSpaceMiB }: ExportScenario): string {
  return oldSpaceMiB ? `${mode}, old space ≤ ${oldSpaceMiB} MiB` : mode;
}

async function measureExport(url: string, { mode, oldSpaceMiB }: ExportScenario, key: string): Promise<Omit<ExportResult, 'label'>> {
  const server = await startExportServer(url, key, oldSpaceMiB ? [`--max-old-space-size=${oldSpaceMiB}`] : []);
  try {
    const before = await server.rss();
    const read = await readExport(`${server.baseUrl}${EXPORT_PATHS[mode]}`, key);
    if (read.lines !== EVENTS) throw new Error(`${mode} export returned ${read.lines} events, expected ${EVENTS}`);
    const after = await server.rss();
    return { mode, ...(oldSpaceMiB ? { oldSpaceMiB } : {}), ...read, rssBefore: before.rss, peakRss: after.maxRss, peakGrowth: after.maxRss - before.rss };
  } finally {
    await server.stop();
  }
}
