import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ActionsService } from '../api/actions-service';
import { openAuditLog } from '../audit/open-store';
import { ActionStatus } from '../domain/types';
import { bundleAirlockWorkflows } from '../workers/workflow-bundle';
import { quietRuntime } from '../scripts/lib/quiet-temporal';
import { benchSigner, BENCH_TRUSTED_KEYS } from './lib/bench-identity';
import { withBenchServers } from './lib/bench-servers';
import { readCpuProfile, summarize, type CpuProfile, type ProfileSummary } from './lib/cpu-profile';
import { benchCatalogue } from './lib/noop-operation';
import { runPool } from './lib/pool';
import { describeMachine, machine, writeDocSection, writeResults } from './lib/publish';
import { markdownTable, textTable, type Table } from './lib/table';
import { startWorkerProcess } from './lib/worker-process';

/**
 * Where the worker's CPU goes on the hot paths (issue 18): the bench worker child runs with
 * `--cpu-prof`, the three paths run one after the other on it, and each path's window of the
 * profiles (main thread: activities, audit, the SDK's core bridge; workflow thread: the sandbox
 * and the workflow code) is summarised per action. Opt-in (`npm run bench -- profile`): a
 * profiler slows what it measures, so these figures say where, not how fast.
 */
const NAME = 'workflow-profile';
const TASK_QUEUE = 'airlock-bench-profile';
const PATHS = { admitted: 400, approved: 200, autoAllowed: 200 };
const CONCURRENCY = 8;
const TOP = 8;

interface PathProfile {
  path: string;
  actions: number;
  threads: { thread: string; summary: ProfileSummary }[];
}

const now = (): number => Number(process.hrtime.bigint() / 1000n); // µs, the profiler's clock

export async function workflowProfileBenchmark(): Promise<void> {
  quietRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-profile-'));
  const profileDir = join(dir, 'profiles');
  try {
    const windows = await withBenchServers(async (servers) => {
      const bundle = await bundleAirlockWorkflows(BENCH_TRUSTED_KEYS);
      const bundleFile = join(dir, 'workflows-bundle.js');
      writeFileSync(bundleFile, bundle.code);
      const worker = await startWorkerProcess({
        temporalAddress: servers.temporalAddress,
        taskQueue: TASK_QUEUE,
        aws: servers.aws,
        bundleFile,
        auditUrl: `sqlite:${join(dir, 'audit.db')}`,
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
      });
      const connection = await Connection.connect({ address: servers.temporalAddress });
      const audit = await openAuditLog(`sqlite:${join(dir, 'api-audit.db')}`);
      try {
        const client = new Client({ connection, namespace: 'default' });
        const actions = new ActionsService(client, benchCatalogue(), TASK_QUEUE, audit, benchSigner(), 120_000);
        const submit = async (requester: string, run: string): Promise<string> => {
          const { state } = await actions.submit({
            action: 'bench.noop',
            params: { run },
            justification: 'Benchmark: CPU profile',
            requester: { id: requester, source: 'api' },
          });
          return state.actionId;
        };
        const timed = async (
          path: string,
          count: number,
          task: (index: number) => Promise<void>,
        ): Promise<{ path: string; count: number; from: number; to: number }> => {
          console.log(`  ${path}: ${count} actions, ${CONCURRENCY} at a time…`);
          const from = now();
          await runPool(count, CONCURRENCY, task);
          return { path, count, from, to: now() };
        };

        const pending: string[] = [];
        const admitted = await timed('reviewed: request → pending_review', PATHS.admitted, async (index) => {
          pending.push(await submit('bench-agent', `profile-${index}`));
        });
        const approved = await timed('reviewed: approve → succeeded', PATHS.approved, async (index) => {
          const actionId = pending[index];
          if (!actionId) throw new Error('fewer pending actions than approvals');
          await actions.decide(actionId, { reviewer: 'bench-reviewer', verdict: 'approve', channel: 'api' });
          const state = await client.workflow.getHandle(actionId).result();
          if ((state as { status?: string }).status !== ActionStatus.Succeeded) throw new Error(`${actionId} ended ${JSON.stringify(state)}`);
        });
        const auto = await timed('auto-allowed: request → succeeded', PATHS.autoAllowed, async (index) => {
          const actionId = await submit('bench-auto', `profile-auto-${index}`);
          await client.workflow.getHandle(actionId).result();
        });
        return [admitted, approved, auto];
      } finally {
        await worker.stop(); // the profiles are written as the worker's threads exit
        await connection.close();
        await audit.close();
      }
    });

    const threads = threadProfiles(profileDir);
    const paths: PathProfile[] = windows.map(({ path, count, from, to }) => ({
      path,
      actions: count,
      threads: threads.map(({ thread, profile }) => ({ thread, summary: summarize(profile, from, to) })),
    }));
    const results = { benchmark: NAME, machine: machine(), paths };
    console.log(`\n${describeMachine(results.machine)}\n`);
    for (const path of paths) console.log(`${path.path} (${path.actions} actions)\n${textTable(pathTable(path))}\n`);
    console.log(`wrote ${writeResults(NAME, results)}`);
    console.log(`wrote ${writeDocSection(NAME, profileMarkdown(results))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The worker's profiles by thread: `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`, thread 0 the main one. */
function threadProfiles(profileDir: string): { thread: string; profile: CpuProfile }[] {
  const files = readdirSync(profileDir).filter((file) => file.endsWith('.cpuprofile'));
  if (files.length < 2) throw new Error(`expected the worker's main and workflow thread profiles in ${profileDir}, found ${files.join(', ') || 'none'}`);
  return files
    .map((file) => ({ file, thread: Number(file.split('.').at(-3)) }))
    .sort((a, b) => a.thread - b.thread)
    .map(({ file, thread }) => ({ thread: thread === 0 ? 'main thread' : `workflow thread ${thread}`, profile: readCpuProfile(join(profileDir, file)) }));
}

function pathTable(path: PathProfile): Table {
  const perAction = (ms: number): string => `${(ms / path.actions).toFixed(2)} ms`;
  const rows: Table = [['thread', 'where (self time)', 'per action', 'share']];
  for (const { thread, summary } of path.threads) {
    rows.push([thread, 'busy (not idle)', perAction(summary.busyMs), '100%']);
    for (const [area, ms] of summary.areas.slice(0, TOP)) rows.push(['', area, perAction(ms), `${((100 * ms) / summary.busyMs).toFixed(0)}%`]);
  }
  return rows;
}

/** The share of the worker's busy time (both threads) in the areas `matches` picks. */
function share(path: PathProfile, matches: (area: string) => boolean): string {
  let busy = 0;
  let picked = 0;
  for (const { summary } of path.threads) {
    busy += summary.busyMs;
    for (const [area, ms] of summary.areas) if (matches(area)) picked += ms;
  }
  return `${((100 * picked) / busy).toFixed(0)}%`;
}

/** One line per path: how much is the SDK's sandbox, the audit store's SQLite, and Airlock's own code. */
function headline(path: PathProfile): string {
  const sandbox = share(path, (area) => area.startsWith('SDK sandbox'));
  const sqlite = share(path, (area) => area === 'better-sqlite3');
  const own = share(path, (area) => area.startsWith('airlock ') || area.startsWith('workflow bundle'));
  return `Of the worker's busy time on this path: the SDK's workflow sandbox ${sandbox}, the audit store's SQLite commits (synchronous = FULL: an fsync each, time the thread waits) ${sqlite}, Airlock's own code (its folders and the workflow bundle, which holds the SDK's workflow runtime too) ${own}.`;
}

function profileMarkdown(results: { machine: ReturnType<typeof machine>; paths: PathProfile[] }): string {
  const sections = results.paths.map(
    (path) => `**${path.path}** (${path.actions} actions, ${CONCURRENCY} at a time). ${headline(path)}\n\n${markdownTable(pathTable(path))}`,
  );
  return `### Where the worker's CPU goes (\`npm run bench -- profile\`)

The benchmark's worker child with \`--cpu-prof\`; the reviewed and auto-allowed paths run one after
the other, and each path's window of the two profiles is summarised: self time by area, per
action. The main thread runs the activities (local ones too), the audit store and the SDK's core
bridge; the workflow thread runs the SDK's sandbox and the workflow code. Sampling slows what it
measures: read the shares, not the totals. ${describeMachine(results.machine)}.

*SDK sandbox: runInContext (native)* is the time under Node's \`vm\` call into the workflow context
that no JavaScript frame claims: entering the context, draining its microtasks and, mostly, the
watchdog thread Node starts and joins for each call that carries a timeout. The SDK gives every
call its \`isolateExecutionTimeout\` (its deadlock detection): 130–180 µs of CPU per call on this
machine against 1 µs without, and admitting an action takes about 16 calls. Without the timeout
(an experiment, 2026-12-05) a pending action started at 59 a second instead of 51. It is the SDK's
guard against a workflow that never yields, with no option to drop it, so it stays; Node's fix
(nodejs/node#47739) is still open. *vm hooks* is
the SDK's promise hook, which records a source-mapped stack trace for every promise a workflow
creates (for the \`__stack_trace\` query). Both grow with the promises and activations a
transition takes, which is why the workflow takes one task per transition (\`local-steps\`) and
admission one activation (\`one-step-admission\`). The
approvals vote on actions admitted earlier, most of them evicted from the worker's cache by then,
as a review that waits for a person is: the vote's task replays the history first.

${sections.join('\n\n')}`;
}
