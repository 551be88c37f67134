import type { CpuTimes } from './lib/cpu-time';
import type { FullSizeRecord } from './lib/full-size';
import { describeMachine, type Machine } from './lib/publish';
import { count, markdownTable, mib, textTable, type Table } from './lib/table';
import type { Comparison, LatencyResults } from './workflow/latency';
import type { PendingRssResult } from './workflow/pending-rss';
import type { PolicyEvalResult } from './workflow/policy-eval';
import type { ThroughputResult } from './workflow/throughput';

/** What bench/results/workflow.json holds. */
export interface WorkflowResults {
  benchmark: string;
  machine: Machine;
  latency: LatencyResults;
  throughput: ThroughputResult;
  pending: PendingRssResult;
  policy: PolicyEvalResult[];
  /** Wall time of the whole workflow benchmark, servers included. */
  seconds: number;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const ratio = (airlock: number, floor: number): string => `${(airlock / floor).toFixed(1)}×`;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

function comparisonRow(figure: string, airlockDoes: string, floorDoes: string, { airlock, floor }: Comparison): string[] {
  return [
    figure,
    airlockDoes,
    ms(airlock.p50),
    ms(airlock.p99),
    floorDoes,
    ms(floor.p50),
    ms(floor.p99),
    ratio(airlock.p50, floor.p50),
    ratio(airlock.p99, floor.p99),
  ];
}

function latencyRows({ latency }: WorkflowResults): Table {
  return [
    ['figure', 'Airlock', 'p50', 'p99', 'floor', 'p50', 'p99', 'ratio p50', 'ratio p99'],
    comparisonRow('approve → executed', 'POST /v1/actions/{id}/decisions until result succeeded', 'Update until result', latency.approve),
    comparisonRow('request', 'POST /v1/actions until 202 pending_review', 'client.workflow.start', latency.submit),
  ];
}

function throughputRows({ throughput: t }: WorkflowResults): Table {
  return [
    ['in flight', 'window', 'succeeded', 'actions/s', 'request → succeeded p50', 'p99'],
    [count(t.concurrency), `${t.seconds} s`, count(t.completed), t.actionsPerSecond.toFixed(1), ms(t.latency.p50), ms(t.latency.p99)],
  ];
}

function pendingRows(p: PendingRssResult): Table {
  return [
    ['pending review', 'started in', 'starts/s', 'RSS before', 'RSS after', 'growth', 'per pending action', 'ramp slope', 'cached / cache limit'],
    [
      count(p.pending),
      `${p.startSeconds.toFixed(1)} s`,
      p.startsPerSecond.toFixed(1),
      mib(p.before.rss),
      mib(p.after.rss),
      mib(p.after.rss - p.before.rss),
      kib(p.bytesPerAction),
      kib(p.slopeBytesPerAction),
      `${count(p.after.cachedWorkflows)} / ${count(p.after.maxCachedWorkflows)}`,
    ],
  ];
}

const total = (cpu: CpuTimes): number => Object.values(cpu).reduce((sum, value) => sum + value, 0);
const cpuCell = (value: number | undefined): string => (value === undefined ? '–' : ms(value));

function cpuRows({ throughput, pending }: WorkflowResults): Table {
  const t = throughput.cpuMsPerAction;
  const p = pending.cpuMsPerAction;
  return [
    ['CPU per action', 'Temporal dev server', 'worker process', 'bench process', 'moto (STS)', 'total'],
    ['auto-allowed, to succeeded (throughput)', cpuCell(t.temporal), '–', cpuCell(t.self), cpuCell(t.moto), cpuCell(total(t))],
    ['review, to pending_review (worker memory)', cpuCell(p.temporal), cpuCell(p.worker), cpuCell(p.self), cpuCell(p.moto), cpuCell(total(p))],
  ];
}

function policyRows({ policy }: WorkflowResults): Table {
  return [
    ['request', 'decided by', 'effect', 'evaluations', 'µs per evaluation'],
    ...policy.map((row) => [row.request, row.ruleId, row.effect, count(row.iterations), row.microsPerEvaluation.toFixed(2)]),
  ];
}

/** Every table, for the terminal. */
export function workflowTables(results: WorkflowResults): string {
  const { latency: l, throughput: t } = results;
  return [
    `Latency, one request at a time (${l.samples} samples after ${l.warmup} warm-up)\n${textTable(latencyRows(results))}`,
    `Sustained auto-allowed actions through the API (${t.concurrency} in flight, ${t.seconds} s after ${t.warmupSeconds} s warm-up)\n${textTable(throughputRows(results))}`,
    `Worker RSS with actions pending review (child process, default worker options)\n${textTable(pendingRows(results.pending))}`,
    `CPU time per action, by process\n${textTable(cpuRows(results))}`,
    `Policy evaluation (evaluatePolicy, config/example-policy.yaml)\n${textTable(policyRows(results))}`,
  ].join('\n\n');
}

/** The docs/benchmarks.md section: method, machine, tables and what they say. */
export function workflowMarkdown(results: WorkflowResults, fullSize?: FullSizeRecord<PendingRssResult>): string {
  const { latency: l, throughput: t, pending: p } = results;
  return `## Workflow: latency against a floor, throughput, worker memory, policy

\`bench/workflow.ts\` runs Airlock on one private Temporal dev server (in memory, started for the
run) with moto for STS, and compares it with a *floor*: the least a Temporal workflow can do on the
same path. The operation is \`bench.noop\` (\`bench/lib/noop-operation.ts\`), a catalogue entry
whose preview and execution do nothing under a session policy that grants nothing, so what is
measured is Airlock's own path: the policy activity, a real STS \`AssumeRole\` on moto for the
preview and another for the execution, every audit write (embedded SQLite in a temp dir, its
production settings), the \`decide\` Update and its validator, search attributes. The policy is
\`bench/workflow-policy.yaml\`: \`bench-auto\` is allowed at once, \`bench-agent\` waits for one
reviewer (quorum 1). The floor (\`bench/workflow/floor-workflows.ts\`, bundled on its own) waits
for one Update, runs one no-op activity and ends. For latency and throughput, Airlock's worker,
the floor's worker, the Temporal client and the real Fastify API (real API keys, HTTP on
loopback) share one process, as in the integration tests.

- **Latency**: ${l.samples} samples after ${l.warmup} warm-up, one request at a time. Each
  iteration runs in turn: a bare \`client.workflow.start\` of the floor; the floor's Update until
  its result; \`POST /v1/actions\` as \`bench-agent\` until its \`202\`; \`POST
  /v1/actions/{id}/decisions\` as the reviewer until the workflow's result says \`succeeded\`. The
  API answers a new request once policy has decided (an Update sent with the start), so the
  request figure includes the policy activity, the preview with its \`AssumeRole\`, and the audit
  writes. After the vote come two audit writes (the vote and approval, then the start of the
  execution), the execution (its own \`AssumeRole\` and credential record) and a last audit write:
  four activities in sequence, each followed by a workflow task. Before an Update is sent the
  workflow is idle (no task pending), as an action is when a person votes. Percentiles are
  nearest-rank; the ratio is Airlock ÷ floor.
- **Throughput**: ${t.concurrency} lanes, each submitting an auto-allowed action through the API
  and waiting for its workflow's result (\`succeeded\`) before the next: ${t.concurrency} actions in
  flight at any time. Counted are the results that arrived in a ${t.seconds} s window after a
  ${t.warmupSeconds} s warm-up.
- **Worker memory**: \`bench/workflow-worker.ts\`, a child process running \`createAirlockWorker\`
  with its default options, reports its RSS (after a forced GC of its main heap) before any
  action and once the actions are pending review. They are real \`privilegedAction\` workflows
  started through \`ActionsService.submit\` (what \`POST /v1/actions\` runs, minus HTTP),
  ${p.concurrency} at a time, each answered in \`pending_review\`, and counted again in visibility
  before the last reading. The target is ${count(p.target)}, but no action is started after
  ${p.budgetSeconds} s, to keep \`npm run bench\` within a few minutes;
  \`AIRLOCK_BENCH_PENDING_SECONDS=1200 npm run bench -- workflow\` runs it in full. *Per pending
  action* is the growth over the count; the *ramp slope* is a least-squares fit over readings taken
  every ${count(p.sampleEvery)} actions.
- **CPU per action**: user + system time of each process (from \`/proc\`) over the throughput
  window, or over the starts of the pending actions, divided by the actions counted. The bench
  process holds the API and the client, and in the throughput row Airlock's worker too; in the
  worker-memory row the worker is the child process.
- **Policy evaluation**: the pure \`evaluatePolicy\` (\`policy/evaluate.ts\`) on
  \`config/example-policy.yaml\`, in process, before any server starts: one request kind per row,
  each checked to be decided by the rule named, ${count(results.policy[0]?.iterations ?? 0)}
  evaluations after a warm-up.

Machine: ${describeMachine(results.machine)}. The benchmark took ${results.seconds.toFixed(0)} s.

${markdownTable(latencyRows(results))}

${markdownTable(throughputRows(results))}

${markdownTable(pendingRows(p))}

${markdownTable(cpuRows(results))}

${markdownTable(policyRows(results))}

${reading(results, fullSize !== undefined)}
${fullSize && p.pending < p.target ? `\n${fullSizeReading(fullSize)}\n` : ''}`;
}

/** What the rows say, from the numbers of this run. */
function reading(results: WorkflowResults, fullSizeKept: boolean): string {
  const { latency: l, throughput: t, pending: p, policy } = results;
  const sentences = [
    `Approving an action and seeing it executed took ${ms(l.approve.airlock.p50)} at p50, ` +
      `${ratio(l.approve.airlock.p50, l.approve.floor.p50)} the floor's ${ms(l.approve.floor.p50)}: ` +
      `four activities and five workflow tasks in sequence where the floor runs one activity.`,
    `\`POST /v1/actions\` answered in ${ms(l.submit.airlock.p50)} at p50, ${ratio(l.submit.airlock.p50, l.submit.floor.p50)} a bare start ` +
      `(${ms(l.submit.floor.p50)}). The two are not the same work: the start is one call to the server, while the API waits for ` +
      `the policy decision (and the preview before it) so that it can answer with a real status.`,
    `With ${t.concurrency} actions in flight, ${t.actionsPerSecond.toFixed(1)} auto-allowed actions a second reached \`succeeded\`, ` +
      `${ms(t.latency.p50)} from request to result at p50. Each took about ${ms(total(t.cpuMsPerAction))} of CPU across the processes, ` +
      `${ms(t.cpuMsPerAction.temporal ?? Number.NaN)} of it in the Temporal dev server: on two cores, CPU is what bounds the rate here.`,
  ];
  const limit = p.after.maxCachedWorkflows;
  const reached = p.pending >= p.target ? `All ${count(p.target)}` : `${count(p.pending)} of the ${count(p.target)} targeted`;
  sentences.push(
    `${reached} actions pending review grew the worker's RSS by ${mib(p.after.rss - p.before.rss)}, ` +
      `${kib(p.bytesPerAction)} per action (ramp slope ${kib(p.slopeBytesPerAction)}), with ${count(p.after.cachedWorkflows)} workflows in the worker's cache.`,
  );
  if (p.pending < p.target) {
    const cpuSeconds = (total(p.cpuMsPerAction) * p.target) / 1000;
    const minutes = cpuSeconds / results.machine.cpus / 60;
    sentences.push(
      `Starting one cost about ${ms(total(p.cpuMsPerAction))} of CPU (${ms(p.cpuMsPerAction.temporal ?? Number.NaN)} in the dev server), ` +
        `so ${count(p.target)} need about ${count(cpuSeconds)} CPU-seconds: ${minutes.toFixed(1)} minutes with all ${results.machine.cpus} cores busy, ` +
        `where the part has ${p.budgetSeconds} s.`,
    );
  }
  if (p.pending < limit) {
    sentences.push(
      `The worker caches at most ${count(limit)} workflows with its default options here (the SDK derives the limit from the heap limit); ` +
        `a pending action beyond that is evicted and costs the worker no memory until its next task replays it. ` +
        `At the slope above, a full cache would be about ${mib(p.before.rss + limit * p.slopeBytesPerAction)}: an extrapolation` +
        (fullSizeKept ? `, which the full-size run below checks.` : `, not a measurement.`),
    );
  }
  const slowest = policy.reduce((worst, row) => (row.microsPerEvaluation > worst.microsPerEvaluation ? row : worst));
  sentences.push(`Policy evaluation is not where the time goes: at most ${slowest.microsPerEvaluation.toFixed(2)} µs per request (${slowest.request}).`);
  return sentences.join(' ');
}

/** The last run that reached the full target, with its own date and machine, and where its RSS levelled off. */
function fullSizeReading({ machine, pending }: FullSizeRecord<PendingRssResult>): string {
  const limit = pending.after.maxCachedWorkflows;
  const full = pending.ramp.findIndex((sample) => sample.cachedWorkflows >= limit);
  const plateau = full === -1 ? [] : pending.ramp.slice(full).map((sample) => sample.rss);
  const levelled =
    plateau.length > 1
      ? ` Its RSS grew until the cache was full (${limit.toLocaleString('en-US')} workflows, ${mib(plateau[0] ?? Number.NaN)} at ` +
        `${count(pending.ramp[full]?.pending ?? 0)} pending), then stayed between ${mib(Math.min(...plateau))} and ${mib(Math.max(...plateau))} ` +
        `up to ${count(pending.pending)}. Its *per pending action* and *ramp slope* average over the evicted actions too.`
      : '';
  return `Full-size run of the worker-memory part, kept in \`bench/results/workflow-full-size.json\` (${describeMachine(machine)}, started in ${pending.startSeconds.toFixed(0)} s).${levelled}

${markdownTable(pendingRows(pending))}`;
}
