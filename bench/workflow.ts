import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startAirlockStack } from './lib/airlock-stack';
import { BENCH_TRUSTED_KEYS } from './lib/bench-identity';
import { identityKeysBundlerHook } from '../workers/workflow-bundle';
import { withBenchServers } from './lib/bench-servers';
import { keepFullSize, lastFullSize } from './lib/full-size';
import { describeMachine, machine, writeDocSection, writeResults } from './lib/publish';
import { quietBundlerLogger, quietRuntime } from '../scripts/lib/quiet-temporal';
import { workflowMarkdown, workflowTables, type WorkflowResults } from './workflow-report';
import { startFloorWorker } from './workflow/floor';
import { measureLatencies, type LatencyResults } from './workflow/latency';
import { measurePendingRss, type PendingRssResult } from './workflow/pending-rss';
import { measurePolicyEvaluation } from './workflow/policy-eval';
import { measureThroughput, type ThroughputResult } from './workflow/throughput';

/**
 * Airlock's workflow path against a floor (a bare workflow: one Update, one no-op activity),
 * throughput, worker memory with actions pending review, and policy evaluation time: all on one
 * freshly started Temporal dev server, with STS on moto. See docs/benchmarks.md for the method.
 */
const NAME = 'workflow';

const LATENCY = { samples: 100, warmup: 5 };
const THROUGHPUT = { concurrency: 16, warmupSeconds: 3, seconds: 30 };
/**
 * Starting a pending action costs the dev server and the worker close to a tenth of a CPU-second
 * (the CPU table in docs/benchmarks.md), so 10,000 take several minutes on two cores: the part
 * stops starting new ones after its budget. AIRLOCK_BENCH_PENDING_SECONDS raises it for a full run.
 */
const PENDING = { target: 10_000, budgetSeconds: budgetFromEnv('AIRLOCK_BENCH_PENDING_SECONDS', 75), concurrency: 50, sampleEvery: 250 };
const POLICY_ITERATIONS = 200_000;

const AIRLOCK_TASK_QUEUE = 'airlock-bench';
const FLOOR_TASK_QUEUE = 'airlock-bench-floor';

export async function workflowBenchmark(): Promise<void> {
  const started = performance.now();
  quietRuntime();
  // First, while nothing else runs: it needs no server.
  console.log('policy evaluation…');
  const policy = measurePolicyEvaluation(POLICY_ITERATIONS);

  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-workflow-'));
  try {
    const measured = await withBenchServers(async (servers) => {
      const bundle = await bundleWorkflowCode({
        workflowsPath: require.resolve('../workflows'),
        logger: quietBundlerLogger,
        webpackConfigHook: identityKeysBundlerHook(BENCH_TRUSTED_KEYS),
      });
      const bundleFile = join(dir, 'workflows-bundle.js');
      writeFileSync(bundleFile, bundle.code); // for the child worker, which then need not bundle again

      const stack = await startAirlockStack(servers, bundle, AIRLOCK_TASK_QUEUE);
      let latency: LatencyResults;
      let throughput: ThroughputResult;
      try {
        const floor = await startFloorWorker(servers.temporalAddress, FLOOR_TASK_QUEUE);
        try {
          console.log(`latency: ${LATENCY.samples} samples…`);
          latency = await measureLatencies(stack, floor.taskQueue, LATENCY);
        } finally {
          await floor.stop();
        }
        console.log(`throughput: ${THROUGHPUT.concurrency} in flight for ${THROUGHPUT.seconds} s…`);
        throughput = await measureThroughput(stack, THROUGHPUT, servers.pids);
      } finally {
        await stack.stop(); // its worker would otherwise share the CPU with the next part
      }
      console.log(`worker memory: up to ${PENDING.target.toLocaleString('en-US')} actions pending review, ${PENDING.budgetSeconds} s budget…`);
      const pending: PendingRssResult = await measurePendingRss(servers, { bundleFile, auditUrl: `sqlite:${join(dir, 'pending-audit.db')}` }, PENDING);
      return { latency, throughput, pending };
    });

    const results: WorkflowResults = { benchmark: NAME, machine: machine(), ...measured, policy, seconds: (performance.now() - started) / 1000 };
    console.log(`\n${describeMachine(results.machine)}\n\n${workflowTables(results)}\n`);
    console.log(`wrote ${writeResults(NAME, results)}`);
    if (results.pending.pending >= results.pending.target) console.log(`wrote ${keepFullSize({ machine: results.machine, pending: results.pending })}`);
    console.log(`wrote ${writeDocSection(NAME, workflowMarkdown(results, lastFullSize<PendingRssResult>()))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function budgetFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`${name} must be a number of seconds, got ${JSON.stringify(text)}`);
  return seconds;
}
