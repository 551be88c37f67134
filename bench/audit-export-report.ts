import type { SeedResult } from './lib/audit-events';
import type { ExportMode } from './lib/export-protocol';
import { describeMachine, type Machine } from './lib/publish';
import { count, markdownTable, mib, textTable, type Table } from './lib/table';

/** One export read from a child server; memory figures are the child's, in bytes. */
export interface ExportResult {
  /** The mode, and the heap cap if any. */
  label: string;
  mode: ExportMode;
  lines: number;
  bytes: number;
  seconds: number;
  rssBefore: number;
  /** The child's peak RSS over its life (getrusage maxRSS), read after the export. */
  peakRss: number;
  peakGrowth: number;
  /** The child's V8 --max-old-space-size, when capped. */
  oldSpaceMiB?: number;
}

export interface StoreResult {
  store: string;
  seed: SeedResult;
  exports: ExportResult[];
}

/** What bench/results/audit-export.json holds. */
export interface AuditExportResults {
  benchmark: string;
  machine: Machine;
  events: number;
  actions: number;
  batch: number;
  stores: StoreResult[];
  skipped: string[];
}

function exportRows(results: AuditExportResults): Table {
  const header = ['store', 'export', 'events', 'export size', 'time', 'events/s', 'RSS before', 'peak RSS', 'peak growth', 'growth ÷ size'];
  const rows = results.stores.flatMap(({ store, exports }) =>
    exports.map((e) => [
      store,
      e.label,
      count(e.lines),
      mib(e.bytes),
      `${e.seconds.toFixed(2)} s`,
      count(e.lines / e.seconds),
      mib(e.rssBefore),
      mib(e.peakRss),
      mib(e.peakGrowth),
      (e.peakGrowth / e.bytes).toFixed(2),
    ]),
  );
  return [header, ...rows];
}

function seedRows(results: AuditExportResults): Table {
  const rows = results.stores.map(({ store, seed }) => [store, count(seed.events), `${seed.seconds.toFixed(2)} s`, count(seed.eventsPerSecond)]);
  return [['store', 'events appended', 'time', 'events/s'], ...rows];
}

/** Both tables for the terminal. */
export function exportTable(results: AuditExportResults): string {
  return `Seeding (AuditLog.append, ${count(results.batch)} events per call)\n${textTable(seedRows(results))}\n\nExport (GET /v1/audit)\n${textTable(exportRows(results))}`;
}

/** The docs/benchmarks.md section: method, machine, tables and what they say. */
export function exportMarkdown(results: AuditExportResults): string {
  const skipped = results.skipped.map((reason) => `\nSkipped: ${reason}.\n`).join('');
  return `## Audit export: ${count(results.events)} events

Does \`GET /v1/audit\` stream the trail without loading it all in memory? \`bench/audit-export.ts\`
seeds a fresh store with ${count(results.events)} events (${count(results.actions)} actions, nine kinds,
data of a few hundred bytes such as a \`request.received\` with its params) through
\`AuditLog.append\`, ${count(results.batch)} per call. A child process then serves the real route
(\`installErrorHandling\` + \`auditRoutes\`, auditor key) and the benchmark reads the export
incrementally, checking every line arrives in seq order. RSS is the child's: *before* after a
forced GC, *peak* is its lifetime maximum (getrusage) read after the export, *growth ÷ size* is
peak minus before over the export's bytes. The *buffered* row is a contrast route in the same
child that collects every record into an array before answering. SQLite runs with its production
settings (WAL, \`synchronous=FULL\`); PostgreSQL is a private cluster on the same machine started by
\`scripts/lib/postgres-server.ts\` in its fast mode (fsync off), so its seeding rate is an upper
bound. \`PostgresAuditStore.append\` checks a batch's ids in one query and inserts it in multi-row statements.

Machine: ${describeMachine(results.machine)}.

${markdownTable(seedRows(results))}

${markdownTable(exportRows(results))}
${skipped}
${reading(results)}
`;
}

/** What the rows say about the question, from the numbers of this run. */
function reading(results: AuditExportResults): string {
  const rows = results.stores.flatMap(({ store, exports }) => exports.map((e) => ({ store, ...e })));
  const streaming = rows.find((e) => e.mode === 'streaming' && !e.oldSpaceMiB);
  const capped = rows.find((e) => e.mode === 'streaming' && e.oldSpaceMiB);
  const buffered = rows.find((e) => e.mode === 'buffered');
  const ratio = (e: ExportResult): string => `${(e.peakGrowth / e.bytes).toFixed(1)}×`;
  const sentences: string[] = [];
  if (buffered) {
    sentences.push(
      `Holding every record (buffered, ${buffered.store}) grew the peak RSS by ${mib(buffered.peakGrowth)}, ${ratio(buffered)} the ${mib(buffered.bytes)} export.`,
    );
  }
  if (streaming) sentences.push(`Streaming the same export (${streaming.store}) grew it by ${mib(streaming.peakGrowth)}.`);
  if (capped?.oldSpaceMiB) {
    const share = buffered ? `, ${Math.round(((capped.oldSpaceMiB * 1024 * 1024) / buffered.peakGrowth) * 100)}% of what holding the records took` : '';
    sentences.push(
      `That growth is the V8 heap's working room (young generation, garbage not yet collected), not events held: ` +
        `with the old generation capped at ${capped.oldSpaceMiB} MiB${share}, ` +
        `the streaming export still delivered all ${count(capped.lines)} events, growing by ${mib(capped.peakGrowth)}.`,
    );
  }
  return sentences.join(' ');
}
