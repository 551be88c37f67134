import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ActionsService } from '../api/actions-service';
import { openAuditLog } from '../audit/open-store';
import { ActionStatus } from '../domain/types';
import { BENCH_TRUSTED_KEYS, BENCH_VERIFY_KEYS_ENTRY, benchSigner } from '../bench/lib/bench-identity';
import { withBenchServers } from '../bench/lib/bench-servers';
import { benchCatalogue } from '../bench/lib/noop-operation';
import { runPool } from '../bench/lib/pool';
import { airlockBundlerOptions, WORKFLOWS_PATH } from '../workers/workflow-bundle';
import { quietBundlerLogger } from './lib/quiet-temporal';
import type { ChildMessage, MeasuredMemory, MeasuredWorkerSettings, ParentMessage } from './lib/measured-worker';

/**
 * Measures what one cached pending action costs a worker, the figure behind
 * workers/worker-sizing.ts BYTES_PER_CACHED_ACTION:
 *
 *   npm run build && node dist/scripts/measure-cache-entry.js [count] [--no-preload] [--main-thread]
 *
 * Airlock's worker (createAirlockWorker, the bench catalogue and policy, STS on moto) runs alone in
 * a child process (scripts/lib/measured-worker.ts), its cache large enough for every action.
 * Actions wait for two approvals: `count` are started in steps, with the child's RSS and heap read
 * after a forced GC at each step (the slope: a pending action nobody voted on yet); then each gets
 * one approval, whose Update validator verifies an Ed25519 signature in that workflow (the last
 * reading: a pending action after a vote). Workflows run on the SDK's workflow thread, as in
 * production, where only RSS sees them; `--main-thread` runs them on the main thread
 * (TEMPORAL_DEBUG), so the heap figure is theirs. `--no-preload` bundles without `preloadModules`.
 */
const TASK_QUEUE = 'airlock-measure-cache';
/** Started before the first reading, so one-time costs (the first workflow, noble's shared table) are in the baseline. */
const WARMUP = 20;
const STEPS = 4;
const CONCURRENCY = 20;
const SETTLE_MS = 1000;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const count = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 1000);
  const preload = !args.includes('--no-preload');
  const mainThread = args.includes('--main-thread');

  const dir = mkdtempSync(join(tmpdir(), 'airlock-measure-cache-'));
  try {
    await withBenchServers(async (servers) => {
      const bundle = await bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        logger: quietBundlerLogger,
        ...airlockBundlerOptions(BENCH_TRUSTED_KEYS),
        ...(preload ? {} : { preloadModules: [] }),
      });
      const settings: MeasuredWorkerSettings = {
        temporalAddress: servers.temporalAddress,
        taskQueue: TASK_QUEUE,
        bundleFile: join(dir, 'bundle.js'),
        auditUrl: `sqlite:${join(dir, 'audit.db')}`,
        aws: servers.aws,
        verifyKeys: BENCH_VERIFY_KEYS_ENTRY,
        maxCachedWorkflows: WARMUP + count + 100, // every action stays cached
      };
      writeFileSync(settings.bundleFile, bundle.code);
      const worker = await startMeasuredWorker(settings, mainThread);
      const connection = await Connection.connect({ address: servers.temporalAddress });
      const audit = await openAuditLog(settings.auditUrl); // refused votes would be recorded there; none happen
      try {
        const actions = new ActionsService(new Client({ connection, namespace: 'default' }), benchCatalogue(), TASK_QUEUE, audit, benchSigner(), 120_000);
        const ids: string[] = [];
        const start = (n: number): Promise<number> =>
          runPool(n, CONCURRENCY, async () => {
            const { state } = await actions.submit({
              action: 'bench.noop',
              params: { run: 'measure-cache' },
              justification: 'Measuring the worker cache',
              requester: { id: 'bench-agent-2', source: 'api' },
            });
            if (state.status !== ActionStatus.PendingReview) throw new Error(`${state.actionId} was admitted as ${state.status}`);
            ids.push(state.actionId);
          });

        await start(WARMUP);
        const readings = [await worker.read()];
        for (let step = 1; step <= STEPS; step++) {
          await start(Math.round((count * step) / STEPS) - (ids.length - WARMUP));
          readings.push(await worker.read());
        }
        const voted = await runPool(ids.length, CONCURRENCY, async (index) => {
          const state = await actions.decide(ids[index] ?? '', { reviewer: 'bench-reviewer', verdict: 'approve', channel: 'api' });
          if (state.status !== ActionStatus.PendingReview) throw new Error(`${state.actionId} is ${state.status} after one approval`);
        });
        report({ preload, mainThread, readings, afterVotes: await worker.read(), voted });
      } finally {
        await connection.close();
        await audit.close();
        await worker.stop();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface MeasuredWorker {
  /** The child's memory, after SETTLE_MS for the tasks in flight to finish. */
  read(): Promise<MeasuredMemory>;
  stop(): Promise<void>;
}

async function startMeasuredWorker(settings: MeasuredWorkerSettings, mainThread: boolean): Promise<MeasuredWorker> {
  const child: ChildProcess = fork(join(__dirname, 'lib', 'measured-worker.js'), {
    execArgv: ['--expose-gc'],
    env: { ...process.env, MEASURED_WORKER: JSON.stringify(settings), ...(mainThread ? { TEMPORAL_DEBUG: '1' } : {}) },
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the measured worker exited (${code})`))));
  exited.catch(() => undefined); // raced below; an exit after a clean stop is not a failure
  const next = (kind: ChildMessage['kind']): Promise<ChildMessage> => {
    const answered = new Promise<ChildMessage>((resolveMessage) => {
      const listener = (message: ChildMessage): void => {
        if (message.kind !== kind) return;
        child.off('message', listener);
        resolveMessage(message);
      };
      child.on('message', listener);
    });
    return Promise.race([answered, exited]);
  };
  await next('ready');
  const send = (message: ParentMessage): boolean => child.send(message);
  return {
    async read() {
      await new Promise((settle) => setTimeout(settle, SETTLE_MS));
      const answer = next('memory');
      send('read');
      const { kind: _kind, ...memory } = (await answer) as Extract<ChildMessage, { kind: 'memory' }>;
      return memory;
    },
    async stop() {
      const done = new Promise((resolveExit) => child.once('exit', resolveExit));
      if (child.connected) send('stop');
      await done;
    },
  };
}

function report(run: { preload: boolean; mainThread: boolean; readings: MeasuredMemory[]; afterVotes: MeasuredMemory; voted: number }): void {
  const { readings, afterVotes, voted } = run;
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
  const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  console.log(
    `node ${process.version}, workflows on the ${run.mainThread ? 'main thread (TEMPORAL_DEBUG)' : 'workflow thread'}, noble ${run.preload ? 'preloaded' : 'not preloaded'}`,
  );
  for (const reading of [...readings, afterVotes]) {
    console.log(`  ${String(reading.cached).padStart(6)} cached  heap ${mib(reading.heapUsed).padStart(10)}  rss ${mib(reading.rss).padStart(10)}`);
  }
  const last = readings.at(-1) ?? afterVotes;
  const perVote = (field: 'heapUsed' | 'rss'): number => slope(readings, field) + (afterVotes[field] - last[field]) / voted;
  console.log(`per pending action, no vote yet: heap ${kib(slope(readings, 'heapUsed'))}, rss ${kib(slope(readings, 'rss'))}`);
  console.log(`per pending action, after one vote: heap ${kib(perVote('heapUsed'))}, rss ${kib(perVote('rss'))}`);
}

/** Least-squares slope of `field` over the cached count. */
function slope(readings: MeasuredMemory[], field: 'heapUsed' | 'rss'): number {
  const n = readings.length;
  const meanX = readings.reduce((sum, r) => sum + r.cached, 0) / n;
  const meanY = readings.reduce((sum, r) => sum + r[field], 0) / n;
  const covariance = readings.reduce((sum, r) => sum + (r.cached - meanX) * (r[field] - meanY), 0);
  const variance = readings.reduce((sum, r) => sum + (r.cached - meanX) ** 2, 0);
  return covariance / variance;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
