import type { Machine } from '../lib/publish';
import { describeMachine } from '../lib/publish';
import { markdownTable, textTable, type Table } from '../lib/table';
import { APPROVALS, HISTORY_SHARDS, THROUGHPUT, type WorkerCountRun } from './measure';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../scripts/lib/temporal-dev-server';

/** One Temporal (the dev server or the cluster) with the same Airlock in front of it. */
export interface TemporalRun {
  temporal: 'dev-server' | 'cluster';
  /** From nothing to both APIs healthy and both workers polling. */
  startSeconds: number;
  byWorkers: WorkerCountRun[];
}

export interface ClusterBenchResults {
  benchmark: 'cluster';
  machine: Machine;
  runs: TemporalRun[];
  seconds: number;
}

const LABEL = { 'dev-server': 'dev server (1 process, SQLite in memory)', cluster: 'cluster (6 processes, PostgreSQL)' } as const;

function table(results: ClusterBenchResults): Table {
  const devServer = results.runs.find((run) => run.temporal === 'dev-server');
  const baseline = (workers: number): WorkerCountRun | undefined => devServer?.byWorkers.find((run) => run.workers === workers);
  const rows: Table = [['Temporal', 'Airlock workers', 'auto-allowed/s', 'vs dev server', 'request → succeeded p50', 'approve → executed p50', 'p95']];
  for (const run of results.runs) {
    for (const measured of run.byWorkers) {
      const base = baseline(measured.workers);
      rows.push([
        LABEL[run.temporal],
        String(measured.workers),
        measured.throughput.perSecond.toFixed(1),
        base ? `${(measured.throughput.perSecond / base.throughput.perSecond).toFixed(2)}×` : '',
        `${measured.throughput.latency.p50.toFixed(0)} ms`,
        `${measured.approveToExecuted.p50.toFixed(0)} ms`,
        `${measured.approveToExecuted.p95.toFixed(0)} ms`,
      ]);
    }
  }
  return rows;
}

export function clusterTables(results: ClusterBenchResults): string {
  const starts = results.runs.map((run) => `${run.temporal} started in ${run.startSeconds.toFixed(1)} s`).join(', ');
  return `${textTable(table(results))}\n\n${starts}; the whole benchmark ${results.seconds.toFixed(0)} s.`;
}

export function clusterMarkdown(results: ClusterBenchResults): string {
  return [
    '## Airlock on a Temporal cluster (`npm run bench -- cluster`)',
    '',
    `${describeMachine(results.machine)}. The same Airlock (two APIs, two workers, then one, the audit store on PostgreSQL, moto) in front of the Temporal CLI's dev server and in front of the cluster \`npm run cluster\` runs (server built from its Go module, frontend, two history, two matching and a worker service as processes on one PostgreSQL), one after the other in one run. Auto-allowed: real \`s3.copyObject\` copies into scratch, ${THROUGHPUT.concurrency} in flight over both APIs, counted over ${THROUGHPUT.seconds} s after ${THROUGHPUT.warmupSeconds} s of warm-up, each from its request to the workflow's result. Approve → executed: ${APPROVALS.samples} reviewed copies one at a time, from the approving vote's POST to the workflow's result.`,
    '',
    markdownTable(table(results)),
    '',
    'Everything runs on the one 2-core machine, so the cluster pays for its six Go processes and PostgreSQL on the same cores as Airlock and the load: a second worker adds capacity only where the cores are not already busy. The figures show what the cluster costs next to the dev server, not how far it scales on real hosts.',
    '',
    `The dev server reads its one shard's transfer queue up to ${DEV_SERVER_DYNAMIC_CONFIG['history.transferProcessorMaxPollRPS'].toLocaleString('en-US')} times a second (\`scripts/lib/temporal-dev-server.ts\`); the cluster has ${HISTORY_SHARDS} shards at the server's default of 20 (docs/deployment.md#scaling).`,
  ].join('\n');
}
