import { auditExportBenchmark } from './audit-export';
import { clusterBenchmark } from './cluster';
import { codecBenchmark } from './codec';
import { gatewayBenchmark } from './gateway';
import { workflowBenchmark } from './workflow';
import { workflowProfileBenchmark } from './workflow-profile';
import { secondsSinceRunStarted } from './lib/run-clock';

/** Every benchmark by name: adding one is one line here. `npm run bench -- <name>…` runs some. */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  'audit-export': auditExportBenchmark,
  cluster: clusterBenchmark,
  codec: codecBenchmark,
  gateway: gatewayBenchmark,
  workflow: workflowBenchmark,
  profile: workflowProfileBenchmark,
};

/**
 * What `npm run bench` alone runs: the profile is asked for by name (a profiler slows what it
 * measures), and so is the gateway (about 40 s): the workflow benchmark fills what is left of
 * the 5 minutes, so a benchmark added here would shorten its pending part or overrun them. The
 * cluster benchmark needs the Temporal server built from its Go module (scripts/install-temporal-server.sh).
 */
const DEFAULT_BENCHMARKS = ['audit-export', 'codec', 'workflow'];

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  for (const name of names.length > 0 ? names : DEFAULT_BENCHMARKS) {
    console.log(`== ${name}`);
    await BENCHMARKS[name]?.();
  }
  console.log(`benchmarks done ${secondsSinceRunStarted().toFixed(0)} s after the run began (this process: ${(performance.now() / 1000).toFixed(0)} s)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
