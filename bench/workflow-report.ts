import type { CpuTimes } from './lib/cpu-time';
import type { FullSizeRecord } from './lib/full-size';
import { describeMachine, type Machine } from './lib/publish';
import { count, markdownTable, mib, textTable, type Table } from './lib/table';
import type { ReleaseTimeline } from './workflow/approval-timeline';
import type { RunTimeline } from './workflow/auto-timeline';
import type { HistoryCount, HistoryResults } from './workflow/history';
import type { Comparison, LatencyResults } from './workflow/latency';
import type { Percentiles } from './lib/stats';
import type { PendingRssResult } from './workflow/pending-rss';
import type { WorkflowTaskTimeouts } from './lib/server-metrics';
import { DEFAULT_WORKFLOW_TASK_TIMEOUT } from '../workflows/messages';
import { DEFAULT_STICKY_TIMEOUT } from '../workers/worker-sizing';
import type { PolicyEvalResult } from './workflow/policy-eval';
import type { ThroughputResult, ThroughputResults } from './workflow/throughput';

/** What bench/results/workflow.json holds. */
export interface WorkflowResults {
  benchmark: string;
  machine: Machine;
  latency: LatencyResults;
  history: HistoryResults;
  /** Where approve → executed goes, stage by stage, beside the release floor's (and its trust floor's: absent from earlier results). */
  timeline: { airlock: ReleaseTimeline; floor: ReleaseTimeline; trust?: ReleaseTimeline };
  /** Where an auto-allowed action's request → succeeded goes, stage by stage, beside the one-activity floor's (and its trust floor's: absent from earlier results). */
  autoTimeline: { airlock: RunTimeline; floor: RunTimeline; trust?: RunTimeline };
  throughput: ThroughputResults;
  pending: PendingRssResult;
  /** Workflow tasks the server timed out over the whole run (absent from results recorded before 2026-12-05). */
  taskTimeouts?: WorkflowTaskTimeouts;
  policy: PolicyEvalResult[];
  /** Wall time of each timed part (latency, history, throughput, pending). */
  partSeconds: Record<string, number>;
  /** Wall time of the whole workflow benchmark, servers included. */
  seconds: number;
}

/** Issue 18's goals, each checked against its figure of this run. */
export const GOALS = {
  approveRatio: 1.5,
  submitRatio: 3,
  autoRatio: 2,
  throughputRatio: 0.5,
  serverCpuRatio: 2,
  rssBytes: 300e6,
  rssPending: 10_000,
  reviewedEvents: 30,
} as const;

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const ratio = (airlock: number, floor: number): string => `${(airlock / floor).toFixed(airlock < floor ? 2 : 1)}×`;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
const yesNo = (met: boolean): string => (met ? 'yes' : 'no');

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

/** Whether the worker-memory part reached its target, and what its RSS then says about the goal. */
function rssVerdict(p: PendingRssResult): { measured: string; met: string } {
  const rss = `${mb(p.after.rss)} (${mib(p.after.rss)}) at ${count(p.pending)} pending`;
  if (p.pending >= GOALS.rssPending) return { measured: rss, met: yesNo(p.after.rss <= GOALS.rssBytes) };
  // Partial: RSS only grows with more pending actions until the cache is full, so over the goal already is a miss.
  return {
    measured: `${rss}: partial, ${count(p.pending)} of ${count(p.target)}`,
    met: p.after.rss > GOALS.rssBytes ? 'no (already over, partial)' : 'not measured (partial)',
  };
}

/** Every goal of issue 18 beside its figure, its floor and the ratio, from this run. */
function goalRows({ latency: l, throughput: t, pending: p, history: h }: WorkflowResults): Table {
  const latencyGoal = (figure: string, floorDoes: string, { airlock, floor }: Comparison, goal: number): string[] => [
    figure,
    ms(airlock.p50),
    ms(floor.p50),
    floorDoes,
    ratio(airlock.p50, floor.p50),
    `≤ ${goal}×`,
    yesNo(airlock.p50 / floor.p50 <= goal),
  ];
  const serverCpu = { airlock: t.airlock.cpuMsPerAction.temporal ?? Number.NaN, floor: t.floor.cpuMsPerAction.temporal ?? Number.NaN };
  const rss = rssVerdict(p);
  return [
    ['goal', 'Airlock', 'floor', 'floor does', 'ratio', 'goal', 'met'],
    latencyGoal('1. approve → executed p50', 'release Update until result (one activity)', l.approve, GOALS.approveRatio),
    latencyGoal('2. POST /v1/actions → answer p50', 'update-with-start, its Update returns after one activity', l.submit, GOALS.submitRatio),
    latencyGoal('3. auto-allowed request → succeeded p50, 1 in flight', 'client.workflow.execute, one activity', l.auto, GOALS.autoRatio),
    [
      `4. auto-allowed actions per second, ${t.airlock.concurrency} in flight`,
      `${t.airlock.perSecond.toFixed(1)}/s`,
      `${t.floor.perSecond.toFixed(1)}/s`,
      'client.workflow.execute, one activity',
      ratio(t.airlock.perSecond, t.floor.perSecond),
      `≥ ${GOALS.throughputRatio}×`,
      yesNo(t.airlock.perSecond / t.floor.perSecond >= GOALS.throughputRatio),
    ],
    [
      '4. dev-server CPU per action, same runs',
      ms(serverCpu.airlock),
      ms(serverCpu.floor),
      'client.workflow.execute, one activity',
      ratio(serverCpu.airlock, serverCpu.floor),
      `≤ ${GOALS.serverCpuRatio}×`,
      yesNo(serverCpu.airlock / serverCpu.floor <= GOALS.serverCpuRatio),
    ],
    ['5. worker RSS, actions pending review', rss.measured, '–', '–', '–', `≤ ${mb(GOALS.rssBytes)} at ${count(GOALS.rssPending)} pending`, rss.met],
    [
      '6. history events, reviewed (quorum 1) approved and executed',
      count(h.reviewed.events),
      count(h.floorRelease.events),
      'start, one Update, one activity',
      ratio(h.reviewed.events, h.floorRelease.events),
      `≤ ${GOALS.reviewedEvents} events`,
      yesNo(h.reviewed.events <= GOALS.reviewedEvents),
    ],
  ];
}

/** The goals as lines for the terminal: "approve → executed p50 212 ms, floor 61 ms (…), 3.5× (goal ≤ 1.5×)". */
function goalLines(results: WorkflowResults): string {
  const [, ...rows] = goalRows(results);
  return rows
    .map(([figure, airlock, floor, floorDoes, ratioCell, goal, met]) => {
      const against = floor === '–' ? '' : `, floor ${floor} (${floorDoes}), ${ratioCell}`;
      return `${figure}: ${airlock}${against} (goal ${goal}: ${met})`;
    })
    .join('\n');
}

function latencyRows({ latency }: WorkflowResults): Table {
  const bareStart: Comparison = { airlock: latency.submit.airlock, floor: latency.bareStart };
  return [
    ['figure', 'Airlock', 'p50', 'p99', 'floor', 'p50', 'p99', 'ratio p50', 'ratio p99'],
    comparisonRow(
      'approve → executed',
      'POST /v1/actions/{id}/decisions until result succeeded',
      'release Update until result (one activity)',
      latency.approve,
    ),
    comparisonRow('request', 'POST /v1/actions until 202 pending_review', 'update-with-start until its Update returns (one activity)', latency.submit),
    comparisonRow('request', 'POST /v1/actions until 202 pending_review', 'client.workflow.start (bare)', bareStart),
    comparisonRow('auto-allowed', 'POST /v1/actions until result succeeded', 'client.workflow.execute (one activity)', latency.auto),
  ];
}

/**
 * Each latency goal beside its trust floor: the floor plus the work the guarantees require, done
 * the least way. Trust floor ÷ floor is what the guarantees cost; Airlock ÷ trust floor, Airlock's own overhead.
 */
function trustFloorRows({ latency }: WorkflowResults): Table | undefined {
  const trust = latency.trustFloors;
  if (!trust) return undefined;
  const row = (figure: string, { airlock, floor }: Comparison, trustFloor: Percentiles, goal: number): string[] => [
    figure,
    ms(floor.p50),
    ms(trustFloor.p50),
    ms(airlock.p50),
    ratio(trustFloor.p50, floor.p50),
    ratio(airlock.p50, trustFloor.p50),
    `≤ ${goal}×`,
  ];
  return [
    ['figure (p50)', 'floor', 'trust floor', 'Airlock', 'trust floor ÷ floor', 'Airlock ÷ trust floor', 'goal (Airlock ÷ floor)'],
    row('1. approve → executed', latency.approve, trust.approve, GOALS.approveRatio),
    row('3. auto-allowed request → succeeded', latency.auto, trust.auto, GOALS.autoRatio),
  ];
}

/** What the trust floors say about each latency goal: reachable by some implementation with the guarantees, or not. */
export function trustFloorReading({ latency }: Pick<WorkflowResults, 'latency'>): string {
  const trust = latency.trustFloors;
  if (!trust) return '';
  const verdict = (goal: string, { airlock, floor }: Comparison, trustFloor: Percentiles, limit: number): string => {
    const least = trustFloor.p50 / floor.p50;
    const own = `Airlock's own work beyond it is ${ms(airlock.p50 - trustFloor.p50)} (${ratio(airlock.p50, trustFloor.p50)} the trust floor)`;
    return least > limit
      ? `Goal ${goal} (≤ ${limit}× the floor) is out of reach of any implementation that keeps these steps, on this machine: the trust floor alone is ${ratio(trustFloor.p50, floor.p50)} the floor (${ms(trustFloor.p50)} against ${ms(floor.p50)}). ${own}.`
      : `Goal ${goal} (≤ ${limit}× the floor) is within reach: the trust floor is ${ratio(trustFloor.p50, floor.p50)} the floor (${ms(trustFloor.p50)} against ${ms(floor.p50)}), so Airlock may spend up to ${ms(limit * floor.p50 - trustFloor.p50)} of its own; ${own}.`;
  };
  return `${verdict('1', latency.approve, trust.approve, GOALS.approveRatio)} ${verdict('3', latency.auto, trust.auto, GOALS.autoRatio)}`;
}

function throughputRow(what: string, t: ThroughputResult): string[] {
  return [what, count(t.concurrency), `${t.seconds} s`, count(t.completed), t.perSecond.toFixed(1), ms(t.latency.p50), ms(t.latency.p99)];
}

/** How the throughput windows were run, as a phrase: alternating parts, or the floor then Airlock. */
function throughputParts(t: ThroughputResult): string {
  const rounds = t.rounds ?? 1;
  if (rounds === 1) return `${t.seconds} s after ${t.warmupSeconds} s warm-up, floor then Airlock`;
  return `${rounds} parts each, alternating (floor, Airlock, …), each ${t.seconds / rounds} s after ${t.warmupSeconds} s warm-up`;
}

function throughputRows({ throughput: t }: WorkflowResults): Table {
  return [
    ['runs', 'in flight', 'window', 'completed', 'per second', 'start → result p50', 'p99'],
    throughputRow('Airlock: auto-allowed POST /v1/actions until succeeded', t.airlock),
    throughputRow('floor: client.workflow.execute (one activity)', t.floor),
  ];
}

function historyRow(h: HistoryCount): string[] {
  return [
    h.path,
    count(h.events),
    count(h.workflowTasks),
    count(h.activities),
    count(h.localActivityMarkers),
    count(h.otherMarkers),
    count(h.timers),
    count(h.updates),
    count(h.upserts),
    count(h.workflowTaskTimeouts),
  ];
}

function historyRows({ history: h }: WorkflowResults): Table {
  return [
    ['path', 'events', 'workflow tasks', 'activities', 'local activities', 'other markers', 'timers', 'Updates', 'upserts', 'task timeouts'],
    ...[h.autoAllowed, h.reviewed, h.quorumTwo, h.floorActivity, h.floorRelease].map(historyRow),
  ];
}

function pendingRows(p: PendingRssResult): Table {
  return [
    ['pending review', 'started in', 'starts/s', 'RSS before', 'RSS after', 'growth', 'per pending action', 'ramp slope', 'after a GC', 'cached / cache limit'],
    [
      count(p.pending),
      `${p.startSeconds.toFixed(1)} s`,
      p.startsPerSecond.toFixed(1),
      mib(p.before.rss),
      mib(p.after.rss),
      mib(p.after.rss - p.before.rss),
      kib(p.bytesPerAction),
      kib(p.slopeBytesPerAction),
      p.afterGc ? mib(p.afterGc.rss) : '–',
      `${count(p.after.cachedWorkflows)} / ${count(p.after.maxCachedWorkflows)}`,
    ],
  ];
}

const total = (cpu: CpuTimes): number => Object.values(cpu).reduce((sum, value) => sum + value, 0);
const cpuCell = (value: number | undefined): string => (value === undefined ? '–' : ms(value));

function cpuRows({ throughput, pending }: WorkflowResults): Table {
  const t = throughput.airlock.cpuMsPerAction;
  const f = throughput.floor.cpuMsPerAction;
  const p = pending.cpuMsPerAction;
  return [
    ['CPU per action', 'Temporal dev server', 'worker process', 'bench process', 'moto (STS)', 'total'],
    ['auto-allowed, to succeeded (throughput)', cpuCell(t.temporal), '–', cpuCell(t.self), cpuCell(t.moto), cpuCell(total(t))],
    ['floor: one-activity workflow, to its result (throughput)', cpuCell(f.temporal), '–', cpuCell(f.self), cpuCell(f.moto), cpuCell(total(f))],
    ['review, to pending_review (worker memory)', cpuCell(p.temporal), cpuCell(p.worker), cpuCell(p.self), cpuCell(p.moto), cpuCell(total(p))],
  ];
}

/**
 * One row per stage: what Airlock does in it, both sides' p50 and the difference; with the trust
 * floor's p50 and Airlock's difference from it when the run timed the trust floor's stages.
 */
export function stageRows<T extends Record<K, number> & { samples: number }, K extends string>(
  { airlock, floor, trust }: { airlock: T; floor: T; trust?: T | undefined },
  stages: [stage: string, airlockDoes: string, key: K][],
): Table {
  const withTrust = trust !== undefined && trust.samples > 0 ? trust : undefined;
  return [
    ['stage (p50)', 'Airlock does', 'Airlock', 'floor', 'difference', ...(withTrust ? ['trust floor', 'Airlock − trust floor'] : [])],
    ...stages.map(([stage, airlockDoes, key]) => [
      stage,
      airlockDoes,
      ms(airlock[key]),
      ms(floor[key]),
      ms(airlock[key] - floor[key]),
      ...(withTrust ? [ms(withTrust[key]), ms(airlock[key] - withTrust[key])] : []),
    ]),
  ];
}

function timelineRows({ timeline }: WorkflowResults): Table {
  return stageRows(timeline, [
    ['vote sent → its workflow task starts', 'HTTP, API key, signing, the Update', 'toWorker'],
    ["the vote's workflow task", 'identity check, audit write (local activity), upsert, schedule', 'releaseTask'],
    ['the activity', 'AssumeRole on moto, credential recorded, the no-op', 'activity'],
    ['activity done → last task starts', '(server: workflow task to the sticky queue)', 'toLastTask'],
    ['the last workflow task → closed', 'upsert, complete (the activity stored the result)', 'lastTask'],
  ]);
}

function autoTimelineRows({ autoTimeline }: WorkflowResults): Table {
  return stageRows(autoTimeline, [
    ['request sent → workflow started', 'HTTP, API key, validation, signing, update-with-start', 'toStart'],
    ['started → first workflow task starts', '(server: first task to the worker)', 'toWorker'],
    ['the first workflow task', "admission (verify, record, policy, preview with its AssumeRole, the outcome's audit write), upserts, schedule", 'firstTask'],
    ['the activity', 'AssumeRole on moto, credential recorded, the no-op, result recorded', 'activity'],
    ['activity done → last task starts', '(server: workflow task to the sticky queue)', 'toLastTask'],
    ['the last workflow task → closed', 'upsert, complete', 'lastTask'],
    ['closed → the client has the result', '(server: the result long-poll answers)', 'toClient'],
  ]);
}

function policyRows({ policy }: WorkflowResults): Table {
  return [
    ['request', 'decided by', 'effect', 'evaluations', 'µs per evaluation'],
    ...policy.map((row) => [row.request, row.ruleId, row.effect, count(row.iterations), row.microsPerEvaluation.toFixed(2)]),
  ];
}

/** The trust-floor table and its reading for the terminal, when the run measured them. */
function trustFloorSection(results: WorkflowResults): string[] {
  const rows = trustFloorRows(results);
  return rows
    ? [`The latency goals against their trust floors (the floor plus what the guarantees require)\n${textTable(rows)}\n${trustFloorReading(results)}`]
    : [];
}

/** The trust-floor table and its reading for the docs, when the run measured them. */
function trustFloorMarkdown(results: WorkflowResults): string {
  const rows = trustFloorRows(results);
  return rows ? `\n${markdownTable(rows)}\n\n${trustFloorReading(results)}\n\n${TRUST_STEP_COSTS}\n\n${AUTO_ABLATION}\n` : '';
}

/**
 * What each step of the approval's trust floor cost, timed inside the worker once (a throwaway
 * trace of the workflow thread's calls into the sandbox, the activities and the audit appends).
 */
const TRUST_STEP_COSTS = `What the guarantees' steps cost on an approval, timed inside the worker on 2026-12-05 (60
approvals one at a time, a throwaway trace of the workflow thread's calls into the sandbox, the
activities, STS and the audit appends): the vote's Ed25519 check in the validator 1.2–1.3 ms (the
vote's first activation took 3.0–3.4 ms, the release floor's 1.1–1.2 ms); the write-ahead local
activity 3.7 ms from the end of that activation to the end of the next, 0.8 ms of it the append
of three events; \`AssumeRole\` 4.8–5.5 ms on moto while the rest of the run shares the two cores
(2.3 ms alone over raw HTTP, 0.6 ms more through the AWS SDK); the credential's and the result's
appends 0.7–1.5 ms together. The floor's 18 ms leave 9 ms under goal 1's 1.5×; these steps take
about 11.`;

/**
 * What Airlock's own extras on the auto-allowed path cost, measured once by taking them out of the
 * workflow (a throwaway change, two short runs each way).
 */
const AUTO_ABLATION = `What Airlock's extras on the auto-allowed path cost, measured by taking them out (an experiment,
2026-12-05: two short runs of \`npm run bench -- workflow\` each way, back to back): without the
patch marker and without its three search-attribute upserts (the status that \`GET /v1/actions\`,
the console and the Temporal UI list by), Airlock's own work beyond the trust floor went from 8.5
and 8.1 ms to 7.5 and 5.9 ms, and goal 3's ratio from 2.4× and 2.2× to 2.2× and 2.1×. Most of what
is left is the HTTP hop with its update-with-start (1.9 and 2.0 ms beyond the trust floor's plain
start: the API's own routing, key check, validation and signing take about 0.3 ms of it) and the
first task's Update and larger activation (2.3 ms in both runs). Goal 3 stays out of reach with those
upserts gone too; the trust floor itself came out at 1.8–2.0× the floor in these four runs.`;

/** Every table, for the terminal. */
export function workflowTables(results: WorkflowResults): string {
  const { latency: l, throughput: t } = results;
  const parts = Object.entries(results.partSeconds).map(([part, seconds]) => `${part} ${seconds.toFixed(0)} s`);
  return [
    `Issue 18's goals, each against its floor in this run\n${goalLines(results)}`,
    `Latency, one request at a time (${l.samples} samples after ${l.warmup} warm-up)\n${textTable(latencyRows(results))}`,
    ...trustFloorSection(results),
    `History events, read back from the server (one run of each path)\n${textTable(historyRows(results))}`,
    `Where approve → executed goes (p50 of each stage over ${results.timeline.airlock.samples} approvals and ${results.timeline.floor.samples} floor releases, from the server's event times)\n${textTable(timelineRows(results))}`,
    `Where an auto-allowed request → succeeded goes (p50 of each stage over ${results.autoTimeline.airlock.samples} actions and ${results.autoTimeline.floor.samples} floor runs; the server's event times, the client's clock at both ends)\n${textTable(autoTimelineRows(results))}`,
    `Sustained runs (${t.airlock.concurrency} in flight, ${throughputParts(t.airlock)})\n${textTable(throughputRows(results))}`,
    `Worker RSS with actions pending review (child process, default worker options)\n${textTable(pendingRows(results.pending))}`,
    `CPU time per action, by process\n${textTable(cpuRows(results))}`,
    `Policy evaluation (evaluatePolicy, config/example-policy.yaml)\n${textTable(policyRows(results))}`,
    ...(results.taskTimeouts ? [taskTimeoutSentence(results.taskTimeouts)] : []),
    `Took ${results.seconds.toFixed(0)} s: ${parts.join(', ')}.`,
  ].join('\n\n');
}

/** The docs/benchmarks.md section: method, machine, tables and what they say. */
export function workflowMarkdown(results: WorkflowResults, fullSize?: FullSizeRecord<PendingRssResult>): string {
  const { latency: l, throughput: t, pending: p } = results;
  const citation = fullSizeCitation(p, fullSize);
  return `## Workflow: Airlock against its floors, issue 18's goals, worker memory, policy

\`bench/workflow.ts\` runs Airlock on one private Temporal dev server (in memory, started for the
run; in a SQLite file past 10,000 pending) with moto for STS, and compares each path with its *floor*: the least a Temporal workflow can
do on the same path, run on the same server, in the same run, with the same concurrency. The
operation is \`bench.noop\` (\`bench/lib/noop-operation.ts\`), a catalogue entry whose preview and
execution do nothing under a session policy that grants nothing, so what is measured is Airlock's
own path: the policy activity, a real STS \`AssumeRole\` on moto for the preview and another for
the execution, every audit write (embedded SQLite in a temp dir, its production settings), the
\`decide\` Update and its validator, search attributes. The policy is
\`bench/workflow-policy.yaml\`: \`bench-auto\` is allowed at once, \`bench-agent\` waits for one
reviewer (quorum 1), \`bench-agent-2\` for two (quorum 2, used only for the history count). For
latency, history and throughput, Airlock's worker, the floors' worker, the Temporal client and the
real Fastify API (real API keys, HTTP on loopback) share one process, as in the integration tests.

The floors (\`bench/workflow/floor-workflows.ts\`, bundled on their own; each runs one no-op
activity, \`bench/workflow/floor-activities.ts\`):

- *release floor* (\`floorWorkflow\`), for approve → executed: waits for a \`release\` Update, runs
  the activity, ends. Timed from the Update until the workflow's result.
- *admit floor* (\`floorAdmitWorkflow\`), for \`POST /v1/actions\` → answer: started by
  update-with-start (\`client.workflow.executeUpdateWithStart\` with a \`WithStartWorkflowOperation\`,
  the same call and id policies as \`ActionsService.submit\`), its \`admit\` Update returning once
  the activity has run. Timed until the Update's answer; the workflow then waits, as an action
  pending review does, and is ended untimed. A bare \`client.workflow.start\` stays beside it as a
  second row: the least any start costs.
- *activity floor* (\`floorActivityWorkflow\`), for an auto-allowed action from request to
  \`succeeded\`: runs the activity and ends, started and awaited by \`client.workflow.execute\`. It
  is also the floor of the throughput goals.

The *trust floors* (\`bench/workflow/trust-floor-workflows.ts\`, on their own worker and audit
store) add to the release and activity floors the work Airlock's guarantees require on the same
path, done the least way Temporal allows and with the same calls Airlock makes
(\`bench/workflow/trust-floor-activities.ts\`): for an approval, the vote's Ed25519 proof checked in
the Update's validator, the vote, the approval and the execution's start stored by one local
activity before the Update answers, then an activity that takes a one-shot credential from STS,
records it, runs the no-op and records the result; for an auto-allowed request, one local activity
that verifies the signed start, stores the request, takes and records the preview's own credential
and stores the decision, then the same activity. No policy, catalogue, search attributes,
notifications, HTTP hop or state. Trust floor ÷ floor is what the guarantees cost on this machine;
Airlock ÷ trust floor is what Airlock adds to them. \`test/integration/trust-floor.test.ts\` holds
each trust floor to its record of steps and its refusals.

Every ratio is Airlock ÷ floor of the same run (the throughput ratio is Airlock's rate ÷ the
floor's, so higher is better there). Issue 18's goals: approve → executed p50 ≤ ${GOALS.approveRatio}× its
floor; \`POST /v1/actions\` → answer p50 ≤ ${GOALS.submitRatio}× the admit floor; auto-allowed request →
\`succeeded\`, one in flight, p50 ≤ ${GOALS.autoRatio}× the activity floor; auto-allowed actions per second
≥ ${GOALS.throughputRatio}× the activity floor's at the same concurrency, and the dev server's CPU per action
≤ ${GOALS.serverCpuRatio}× the floor's; worker RSS ≤ ${mb(GOALS.rssBytes)} at ${count(GOALS.rssPending)} actions pending review; a
reviewed action (quorum 1) approved and executed in ≤ ${GOALS.reviewedEvents} history events.

- **Latency**: ${l.samples} samples after ${l.warmup} warm-up, one request at a time. Each
  iteration runs in turn: a bare \`client.workflow.start\` of the release floor; its \`release\`
  Update until its result; update-with-start of the admit floor until its Update returns;
  \`POST /v1/actions\` as \`bench-agent\` until its \`202\`; \`POST /v1/actions/{id}/decisions\` as
  the reviewer until the workflow's result says \`succeeded\`; \`client.workflow.execute\` of the
  activity floor; \`POST /v1/actions\` as \`bench-auto\` until the workflow's result says
  \`succeeded\`. The trust floors run after their counterparts: a vote signed by the bench
  process sent as an Update until the result, then a signed start until the result. The API answers a new request once policy has decided (an Update sent with the
  start), so the request figure includes the policy activity, the preview with its \`AssumeRole\`,
  and the audit writes: admission is one workflow task, one local activity that stores the request,
  the preview's credential and its outcome itself. After the
  vote come one workflow task (the identity check, one audit write of the vote, the approval and
  the start of the execution as a local activity, the upsert), the execution (its own
  \`AssumeRole\` and credential record, and its result's), and a last workflow task (the upsert):
  the floor's shape, one activity between two workflow tasks. Before an Update is sent
  the workflow is idle (no task pending), as an action is when a person votes. Percentiles are
  nearest-rank.
- **History events**: the histories of the last timed iteration's auto-allowed and reviewed
  actions and of its activity and release floors, read back from the server
  (\`WorkflowHandle.fetchHistory()\`), plus one action of \`bench-agent-2\` approved by
  \`bench-reviewer\` then \`bench-reviewer-2\` (votes sent one at a time, each once the workflow is
  idle). *Workflow tasks* counts completed tasks; *local activities* counts their markers.
- **Throughput**: ${t.airlock.concurrency} lanes, each starting one run and waiting for its result
  before the next: ${t.airlock.concurrency} in flight at any time. The activity floor
  (\`client.workflow.execute\`) and Airlock (an auto-allowed \`POST /v1/actions\`, then its
  workflow's result, \`succeeded\`) each count the results that arrived in ${t.airlock.seconds} s of
  windows: ${throughputParts(t.airlock)}. Alternating parts put whatever changes during the run
  (the server's store grows, the machine is busier) on both sides alike; with one part each, the
  floor always ran first, on the smaller store. Both workers run during both.
- **Worker memory**: \`bench/workflow-worker.ts\`, a child process running \`createAirlockWorker\`
  with its default options and the worker's Node flags, reports its RSS as found (what a
  container's limit counts, garbage included; no forced GC) before any action, every
  ${count(p.sampleEvery)} actions, and once the actions are pending review; then once more after a
  forced GC of its main heap (*after a GC*: V8 may keep the pages it freed, so this is not the live heap alone). They are real \`privilegedAction\` workflows
  started through \`ActionsService.submit\` (what \`POST /v1/actions\` runs, minus HTTP),
  ${p.concurrency} at a time, each answered in \`pending_review\`, and counted again in visibility
  before the last reading. The target is ${count(p.target)}; the part starts actions for what the
  benchmarks and parts before it left of 5 minutes (${p.budgetSeconds} s in this run), so that \`npm run bench\`
  ends within them, and the figure is *partial* unless the table says all ${count(p.target)} were
  started. \`AIRLOCK_BENCH_PENDING_SECONDS=600 npm run bench -- workflow\` runs 10,000 in full;
  \`AIRLOCK_BENCH_PENDING_TARGET=100000 AIRLOCK_BENCH_PENDING_SECONDS=4800\` is the opt-in run
  that shows whether RSS stays flat past the cache (45 and 49 minutes of starts here, 2026-12-05). Past
  10,000 the dev server keeps its state in a SQLite file: in memory it held about 54 KiB per open
  workflow and then grew to 22 GiB near 78,000 and stalled. *Per pending
  action* is the growth over the count; the *ramp slope* is a least-squares fit over readings taken
  every ${count(p.sampleEvery)} actions. RSS is in MiB in the tables, in MB (10⁶ bytes) beside the goal.
- **CPU per action**: user + system time of each process (from \`/proc\`) over a throughput
  window, or over the starts of the pending actions, divided by the runs counted. The bench
  process holds the API, the client and, in the throughput rows, both workers; in the
  worker-memory row the worker is the child process. The CPU goal compares the dev server's
  column of the two throughput rows.
- **Policy evaluation**: the pure \`evaluatePolicy\` (\`policy/evaluate.ts\`) on
  \`config/example-policy.yaml\`, in process, before any server starts: one request kind per row,
  each checked to be decided by the rule named, ${count(results.policy[0]?.iterations ?? 0)}
  evaluations after a warm-up.

Machine: ${describeMachine(results.machine)}. The benchmark took ${results.seconds.toFixed(0)} s (${Object.entries(results.partSeconds)
    .map(([part, seconds]) => `${part} ${seconds.toFixed(0)} s`)
    .join(', ')}; the rest is starting the servers and bundling).

${markdownTable(goalRows(results))}

${markdownTable(latencyRows(results))}
${trustFloorMarkdown(results)}
${markdownTable(historyRows(results))}

Where approve → executed goes: each timed approval's and floor release's stages, read from the
event times of its history (the server's clock, the client's for the send), p50 of each stage;
where the run timed them, the approval trust floor's stages too, and what Airlock spends beyond it.

${markdownTable(timelineRows(results))}

The last task's dispatch goes through the history service's transfer queue: the task an
activity's completion makes is written there, and a shard reads that queue at most
\`history.transferProcessorMaxPollRPS\` times a second (the vote's Update does not go through it).
At the server's default of 20, on the dev server's single shard, that task waited up to 50 ms for
the next read, whatever the activity did: on 2026-12-05, 44 ms for Airlock and 29 ms for the
floor (p50), out of 78.5 and 42.5 ms. \`npm start\`, the tests and this benchmark start the dev
server with 1,000 (\`scripts/lib/temporal-dev-server.ts\`): the wait is now under 2 ms on both
sides, and every latency here roughly halved (approve → executed 78.5 → 37 ms against the
floor's 42.5 → 17; an auto-allowed action 101 → 51 ms against 98 → 20; \`POST /v1/actions\`
62 → 32 ms against 100 → 21), with the dev server's CPU per action unchanged within run-to-run
noise. The ratios rose: what
remains is each side's own work, which the floors had hidden behind the wait.

The dev server also caches search attributes (\`system.forceSearchAttributesCacheRefreshOnRead=false\`).
\`temporal server start-dev\` turns that cache off unless told otherwise, so each upsert's validation
and each visibility write read the cluster metadata again from SQLite, and for an action's
attributes the namespace too: per approval 12.5 and 6 reads, per auto-allowed action 15.6 and 7,
per release floor run (its start and close) 6.8 and none (the server's metrics, 2026-12-05). A
production server caches them for 60 s. In eight alternating throughput runs on 2026-12-05, four
each way, the dev server's CPU per auto-allowed action was 19.0–22.6 ms with the cache (median
21.4) against 22.9–29.5 ms without (median 28.0), and the throughput ratio 0.49–0.56 against
0.42–0.52; one-at-a-time latencies moved within run-to-run noise.

Where an auto-allowed action's request → \`succeeded\` goes, one at a time: each timed action's and
one-activity floor run's stages, from the event times of its history and the client's clock when
it sent the request and had the result, p50 of each stage; where the run timed them, the
auto-allowed trust floor's stages too, and what Airlock spends beyond it.

${markdownTable(autoTimelineRows(results))}

${markdownTable(throughputRows(results))}

${markdownTable(pendingRows(p))}

${markdownTable(cpuRows(results))}

${markdownTable(policyRows(results))}

${reading(results, citation !== '')}
${results.taskTimeouts ? `\n${taskTimeoutSentence(results.taskTimeouts)}\n` : ''}${citation}`;
}

/**
 * What the server timed out over the run, every part included. Airlock starts each action with the
 * default workflow task timeout (AIRLOCK_WORKFLOW_TASK_TIMEOUT): none timed out means no task under
 * this load came near it. The timeouts named are the defaults the bench runs with.
 */
export function taskTimeoutSentence({ startToClose, scheduleToStart }: WorkflowTaskTimeouts): string {
  return (
    `Workflow tasks the server timed out over the whole run (its \`start_to_close_timeout\` and \`schedule_to_start_timeout\` ` +
    `counters): ${count(startToClose)} held past the workflow task timeout (${DEFAULT_WORKFLOW_TASK_TIMEOUT} for Airlock's actions, 10s for the floors'), ` +
    `${count(scheduleToStart)} not taken by a worker in time (from a worker's sticky queue: ${DEFAULT_STICKY_TIMEOUT}).`
  );
}

/** The two stages where Airlock's approval spends most beyond the floor's, as a sentence. */
function largestDifferences({ timeline: { airlock, floor } }: WorkflowResults): string {
  return twoLargest(airlock, floor, [
    ['getting the vote to the worker', 'toWorker'],
    ["the vote's workflow task", 'releaseTask'],
    ['the execution activity', 'activity'],
    ['dispatching the last task', 'toLastTask'],
    ['the last workflow task', 'lastTask'],
  ]);
}

/** The two stages where an auto-allowed action spends most beyond the one-activity floor's, as a sentence. */
function largestAutoDifferences({ autoTimeline: { airlock, floor } }: WorkflowResults): string {
  return twoLargest(airlock, floor, [
    ['getting the request to a started workflow', 'toStart'],
    ['the first workflow task', 'firstTask'],
    ['the execution activity', 'activity'],
    ['the last workflow task', 'lastTask'],
    ['dispatching the first task', 'toWorker'],
    ['dispatching the last task', 'toLastTask'],
    ['answering the client', 'toClient'],
  ]);
}

function twoLargest<T extends Record<K, number>, K extends string>(airlock: T, floor: T, stages: [name: string, key: K][]): string {
  const [first, second] = stages.map(([name, key]) => ({ name, extra: airlock[key] - floor[key] })).sort((a, b) => b.extra - a.extra);
  if (!first || !second) return '';
  return `Most of the difference is in ${first.name} (${ms(first.extra)} more than the floor's) and ${second.name} (${ms(second.extra)} more).`;
}

/** The slope once the cache was full, as a clause, when there are readings to fit. */
function pastCacheClause(p: PendingRssResult): string {
  const slope = slopePastCache(p);
  return slope === undefined ? '' : ` (least-squares slope over those readings: ${(slope / 1024).toFixed(2)} KiB per further pending action)`;
}

/** CPU milliseconds per second as cores busy. */
function cores(cpuMsPerSecond: number): string {
  return `${(cpuMsPerSecond / 1000).toFixed(2)}`;
}

/** Least-squares RSS slope over the readings taken once the cache was full, if there are two or more. */
function slopePastCache(p: PendingRssResult): number | undefined {
  const full = p.ramp.filter((sample) => sample.cachedWorkflows >= p.after.maxCachedWorkflows * 0.95);
  if (full.length < 2) return undefined;
  const meanX = full.reduce((sum, sample) => sum + sample.pending, 0) / full.length;
  const meanY = full.reduce((sum, sample) => sum + sample.rss, 0) / full.length;
  const covariance = full.reduce((sum, sample) => sum + (sample.pending - meanX) * (sample.rss - meanY), 0);
  const variance = full.reduce((sum, sample) => sum + (sample.pending - meanX) ** 2, 0);
  return variance > 0 ? covariance / variance : undefined;
}

/** What the rows say, from the numbers of this run. */
function reading(results: WorkflowResults, fullSizeCited: boolean): string {
  const { latency: l, throughput: t, pending: p, history: h, policy } = results;
  const sentences = [
    `Approving an action and seeing it executed took ${ms(l.approve.airlock.p50)} at p50, ` +
      `${ratio(l.approve.airlock.p50, l.approve.floor.p50)} the floor's ${ms(l.approve.floor.p50)}, in the floor's shape ` +
      `(a workflow task, one activity, a workflow task). ${largestDifferences(results)}`,
    `\`POST /v1/actions\` answered in ${ms(l.submit.airlock.p50)} at p50, ${ratio(l.submit.airlock.p50, l.submit.floor.p50)} ` +
      `an update-with-start whose Update returns after one activity (${ms(l.submit.floor.p50)}), and ` +
      `${ratio(l.submit.airlock.p50, l.bareStart.p50)} a bare start (${ms(l.bareStart.p50)}), which does not wait for any workflow code.`,
    `The admit and activity floors each start a new workflow, while the release floor's Update reaches one already running ` +
      `(and in the worker's cache): they take longer than the release floor for that start, with no more activities.`,
    `An auto-allowed action took ${ms(l.auto.airlock.p50)} at p50 from request to \`succeeded\`, one at a time, ` +
      `${ratio(l.auto.airlock.p50, l.auto.floor.p50)} a one-activity workflow started and awaited (${ms(l.auto.floor.p50)}). ` +
      largestAutoDifferences(results),
    `With ${t.airlock.concurrency} in flight, ${t.airlock.perSecond.toFixed(1)} auto-allowed actions a second reached \`succeeded\` ` +
      `(${ms(t.airlock.latency.p50)} from request to result at p50), against the floor's ${t.floor.perSecond.toFixed(1)} a second: ` +
      `${ratio(t.airlock.perSecond, t.floor.perSecond)}. Each action took about ${ms(total(t.airlock.cpuMsPerAction))} of CPU across the processes, ` +
      `${ms(t.airlock.cpuMsPerAction.temporal ?? Number.NaN)} of it in the Temporal dev server, where a floor run took ` +
      `${ms(total(t.floor.cpuMsPerAction))} in all and ${ms(t.floor.cpuMsPerAction.temporal ?? Number.NaN)} in the dev server. ` +
      `Airlock's runs kept ${cores(t.airlock.perSecond * total(t.airlock.cpuMsPerAction))} of the ${results.machine.cpus} cores busy, ` +
      `the floor's ${cores(t.floor.perSecond * total(t.floor.cpuMsPerAction))}.`,
    `A reviewed action (quorum 1) wrote ${count(h.reviewed.events)} history events (goal ≤ ${GOALS.reviewedEvents}), ` +
      `an auto-allowed one ${count(h.autoAllowed.events)}, one approved by two reviewers ${count(h.quorumTwo.events)}; ` +
      `the floors wrote ${count(h.floorActivity.events)} (one activity) and ${count(h.floorRelease.events)} (one Update, one activity).`,
  ];
  const limit = p.after.maxCachedWorkflows;
  const reached = p.pending >= p.target ? `All ${count(p.target)}` : `${count(p.pending)} of the ${count(p.target)} targeted`;
  sentences.push(
    `${reached} actions pending review grew the worker's RSS by ${mib(p.after.rss - p.before.rss)}, ` +
      `${kib(p.bytesPerAction)} per action (ramp slope ${kib(p.slopeBytesPerAction)}), with ${count(p.after.cachedWorkflows)} workflows in the worker's cache` +
      (p.afterGc ? `; after a forced GC of its main heap it was ${mib(p.afterGc.rss)}. ` : '. ') +
      `Before any action it was ${mb(p.before.rss)} (${mib(p.before.rss)}), against the goal's ${mb(GOALS.rssBytes)} at ${count(GOALS.rssPending)} pending.`,
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
  const pastCache = slopePastCache(p);
  if (pastCache !== undefined) {
    sentences.push(
      `The worker caches at most ${count(limit)} workflows with its default options (\`AIRLOCK_WORKER_CACHE_MIB\`); past that, ` +
        `each further pending action still added ${kib(pastCache)} of RSS (slope over the readings once the cache was full), ` +
        `though it is evicted from the cache.`,
    );
  } else if (p.pending < limit) {
    sentences.push(
      `The worker caches at most ${count(limit)} workflows with its default options; this run did not fill the cache` +
        (fullSizeCited ? `; the full-size run below does.` : `.`),
    );
  }
  const slowest = policy.reduce((worst, row) => (row.microsPerEvaluation > worst.microsPerEvaluation ? row : worst));
  sentences.push(`Policy evaluation is not where the time goes: at most ${slowest.microsPerEvaluation.toFixed(2)} µs per request (${slowest.request}).`);
  return sentences.join(' ');
}

/**
 * Whether this run replaces the kept full-size record: it reached its target, and went at least as
 * far as the kept one (a bounded run to 10,000 does not replace the opt-in run to 100,000).
 */
export function replacesFullSize(p: PendingRssResult, kept: FullSizeRecord<PendingRssResult> | undefined): boolean {
  return p.pending >= p.target && (kept === undefined || p.pending >= kept.pending.pending);
}

/**
 * The kept full-size run, when it says more than this run: this one ended short of its target, or
 * the kept one went further (the opt-in run with 100,000 pending, which shows RSS past the cache).
 */
export function fullSizeCitation(p: PendingRssResult, fullSize: FullSizeRecord<PendingRssResult> | undefined): string {
  return fullSize && (p.pending < p.target || fullSize.pending.pending > p.pending) ? `\n${fullSizeReading(fullSize)}\n` : '';
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
        `up to ${count(pending.pending)}${pastCacheClause(pending)}. Its *per pending action* and *ramp slope* average over the evicted actions too.`
      : '';
  const store = pending.temporalStore === 'sqlite-file' ? '; the dev server kept its state in a SQLite file' : '';
  const read =
    pending.rssRead === 'as-found'
      ? ''
      : "; its RSS read the earlier way: after a forced GC of the worker's main heap at each reading, that heap's old generation unbounded";
  return `Full-size run of the worker-memory part, kept in \`bench/results/workflow-full-size.json\` (${describeMachine(machine)}, started in ${pending.startSeconds.toFixed(0)} s${store}${read}).${levelled}

${markdownTable(pendingRows(pending))}`;
}
