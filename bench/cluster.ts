import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, isPortFree } from '../net/free-port';
import { startLocalCluster, type LocalCluster } from '../scripts/lib/local-cluster';
import { PROJECT_ROOT } from '../scripts/lib/tools';
import { clusterMarkdown, clusterTables, type ClusterBenchResults, type TemporalRun } from './cluster/report';
import { HISTORY_SHARDS, measureClusterRun } from './cluster/measure';
import { describeMachine, machine, writeDocSection, writeResults } from './lib/publish';

/**
 * `npm run bench -- cluster`: Airlock's auto-allowed throughput and approve → executed latency on a
 * Temporal cluster (scripts/lib/local-cluster.ts: the server built from its Go module, frontend,
 * two history, two matching and a worker service as processes on PostgreSQL) with two Airlock
 * workers and then one, beside the same on the Temporal CLI's dev server in the same run: the same
 * Airlock processes, APIs, PostgreSQL audit store and moto; only Temporal differs. Needs the server
 * built (scripts/install-temporal-server.sh; `npm run cluster` builds it). See docs/benchmarks.md.
 */
const NAME = 'cluster';
const POLICY_FILE = join(PROJECT_ROOT, 'config', 'example-policy.yaml');

export async function clusterBenchmark(): Promise<void> {
  const started = performance.now();
  const runs: TemporalRun[] = [];
  for (const temporal of ['dev-server', 'cluster'] as const) {
    console.log(`${temporal}: starting…`);
    const stateDir = mkdtempSync(join(tmpdir(), `airlock-bench-${temporal}-`));
    let cluster: LocalCluster | undefined;
    try {
      cluster = await startLocalCluster({
        temporal,
        stateDir,
        frontendPort: await freePortBlock(),
        postgresPort: await freePort(),
        apiPorts: [await freePort(), await freePort()],
        policyFile: POLICY_FILE,
        logLevel: 'error',
        namespace: 'default',
        numHistoryShards: HISTORY_SHARDS,
        onLine: () => undefined,
        onUnexpectedExit: (name, code, tail) => console.error(`  ${name} exited (${code}):\n${tail}`),
      });
      const startSeconds = (cluster.timings.at(-1)?.[1] ?? 0) / 1000;
      console.log(`${temporal}: started in ${startSeconds.toFixed(1)} s`);
      runs.push({ temporal, startSeconds, ...(await measureClusterRun(cluster, (line) => console.log(`  ${temporal}: ${line}`))) });
    } finally {
      await cluster?.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  const results: ClusterBenchResults = { benchmark: NAME, machine: machine(), runs, seconds: (performance.now() - started) / 1000 };
  console.log(`\n${describeMachine(results.machine)}\n\n${clusterTables(results)}\n`);
  console.log(`wrote ${writeResults(NAME, results)}`);
  console.log(`wrote ${writeDocSection(NAME, clusterMarkdown(results))}`);
}

/**
 * A frontend port with the five above it, and each 100 and 10 above, free: the cluster's services
 * take fixed ports from it (scripts/lib/cluster-config.ts). Tried from a high base, a block at a time.
 */
async function freePortBlock(): Promise<number> {
  for (let base = 17_233; base < 30_000; base += 200) {
    const ports = [0, 1, 2, 3, 4, 5].flatMap((offset) => [base + offset, base + offset + 100]).concat(base + 10);
    const free = await Promise.all(ports.map((port) => isPortFree(port)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free block of ports for the cluster');
}
