import { describeMachine, type Machine } from '../lib/publish';
import type { Percentiles } from '../lib/stats';
import { markdownTable, textTable, type Table } from '../lib/table';
import type { GatewayLatencyResults } from './latency';
import { STAGES, type CallTimeline } from './timeline';

/** What bench/results/gateway.json holds. */
export interface GatewayResults {
  benchmark: string;
  machine: Machine;
  latency: GatewayLatencyResults;
  /** Where the time goes: the API-only calls' stages beside the durable floor's. */
  timeline: { airlock: CallTimeline; durableFloor: CallTimeline };
  /** The goal this run was checked against. */
  goal: { addedMsP50: number };
  /** Wall time of each part (servers started, bundle, stack, durable floor worker, latency, timeline; `servers` holds the parts after it). */
  partSeconds: Record<string, number>;
  /** Wall time of the whole gateway benchmark, servers included. */
  seconds: number;
}

/**
 * The goal: what an auto-allowed call through the gateway, as an agent makes it, may add to the
 * same call made straight to the server, at p50. A ratio alone says little against a floor of
 * about a millisecond; see docs/benchmarks.md for why this number.
 */
export const GOAL = { addedMsP50: 150 } as const;

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const ratio = (airlock: number, floor: number): string => `${(airlock / floor).toFixed(airlock / floor >= 10 ? 0 : 1)}×`;
const added = (airlock: number, floor: number): string => `${airlock - floor >= 0 ? '+' : ''}${(airlock - floor).toFixed(1)} ms`;

const FLOOR_DOES = 'MCP SDK client → server-everything over stdio, tools/call echo';
const PATHS = {
  floor: { name: 'floor: the downstream call', does: FLOOR_DOES },
  durableFloor: { name: 'durable floor', does: 'client.workflow.execute of a workflow whose one activity makes the floor’s call' },
  api: { name: 'Airlock, API only', does: 'POST /v1/actions, then long-poll GET /v1/actions/{id} until succeeded (AirlockClient)' },
  mcp: { name: 'Airlock, as an agent calls', does: 'MCP SDK client → Airlock’s MCP server (Streamable HTTP) → API → workflow → worker → server-everything' },
} as const;

function met(results: GatewayResults): boolean {
  const { mcp, floor } = results.latency;
  return mcp.p50 - floor.p50 <= results.goal.addedMsP50;
}

function goalRows(results: GatewayResults): Table {
  const { mcp, floor } = results.latency;
  return [
    ['goal', 'Airlock p50', 'floor p50', 'floor does', 'ratio', 'added', 'goal', 'met'],
    [
      'auto-allowed gateway call, as an agent makes it, 1 in flight',
      ms(mcp.p50),
      ms(floor.p50),
      FLOOR_DOES,
      ratio(mcp.p50, floor.p50),
      added(mcp.p50, floor.p50),
      `added ≤ ${results.goal.addedMsP50} ms`,
      met(results) ? 'yes' : 'no',
    ],
  ];
}

function latencyRows({ latency: l }: GatewayResults): Table {
  const row = (path: keyof typeof PATHS, p: Percentiles): string[] => [
    PATHS[path].name,
    PATHS[path].does,
    ms(p.p50),
    ms(p.p95),
    ratio(p.p50, l.floor.p50),
    added(p.p50, l.floor.p50),
    ratio(p.p95, l.floor.p95),
    added(p.p95, l.floor.p95),
  ];
  return [
    ['path', 'does', 'p50', 'p95', 'ratio p50', 'added p50', 'ratio p95', 'added p95'],
    row('floor', l.floor),
    row('durableFloor', l.durableFloor),
    row('api', l.api),
    row('mcp', l.mcp),
  ];
}

function partRows({ latency: l }: GatewayResults): Table {
  return [
    ['part, timed on its own', 'p50', 'p95'],
    ['POST /v1/actions until its answer (policy decided, the call scheduled)', ms(l.post.p50), ms(l.post.p95)],
    ['GET /v1/actions/{id} of the closed action without waiting (a query: the worker replays the history)', ms(l.closedRead.p50), ms(l.closedRead.p95)],
    ['the same final state from the close event (what a long poll that saw the close reads)', ms(l.closeEventRead.p50), ms(l.closeEventRead.p95)],
    ['GET /v1/catalogue (Airlock’s MCP server reads it before each gateway call)', ms(l.catalogue.p50), ms(l.catalogue.p95)],
  ];
}

const STAGE_ROWS: Record<(typeof STAGES)[number], { name: string; airlock: string; floor: string }> = {
  toStart: {
    name: 'sent → workflow started',
    airlock: 'HTTP, API key, arguments checked against the tool’s schema, identity signed, update-with-start sent',
    floor: 'the start sent',
  },
  toFirstTask: {
    name: 'started → first workflow task starts',
    airlock: '(server: the first workflow task to the worker; Airlock’s start carries the admit Update)',
    floor: '(server: the first workflow task to the worker)',
  },
  firstTask: {
    name: 'first workflow task → activity scheduled',
    airlock: 'admission, preview, policy (local activities), audit writes up to execution.started, upserts, the Update answered',
    floor: 'schedule the activity',
  },
  activity: {
    name: 'the activity',
    airlock: 'identity check, the echo call over stdio, operation.succeeded written',
    floor: 'the echo call over stdio',
  },
  toLastTask: { name: 'activity done → last task starts', airlock: '(server: workflow task to the sticky queue)', floor: '(same)' },
  lastTask: { name: 'the last workflow task → closed', airlock: 'the result into state, upsert, complete', floor: 'complete' },
  toAnswer: {
    name: 'closed → the client has the answer',
    airlock: 'long poll wakes; the API reads the final state from the close event; HTTP',
    floor: 'the client’s result long poll wakes',
  },
};

function timelineRows({ timeline: { airlock, durableFloor } }: GatewayResults): Table {
  return [
    ['stage (p50)', 'Airlock does', 'Airlock', 'durable floor', 'difference'],
    ...STAGES.map((stage) => [
      STAGE_ROWS[stage].name,
      STAGE_ROWS[stage].airlock,
      ms(airlock[stage]),
      ms(durableFloor[stage]),
      ms(airlock[stage] - durableFloor[stage]),
    ]),
  ];
}

/** The goal as a line for the terminal. */
function goalLine(results: GatewayResults): string {
  const { mcp, floor } = results.latency;
  return (
    `auto-allowed gateway call p50 ${ms(mcp.p50)} (p95 ${ms(mcp.p95)}), floor ${ms(floor.p50)} (p95 ${ms(floor.p95)}, ${FLOOR_DOES}): ` +
    `${ratio(mcp.p50, floor.p50)}, ${added(mcp.p50, floor.p50)} (goal added ≤ ${results.goal.addedMsP50} ms: ${met(results) ? 'yes' : 'no'})`
  );
}

export function gatewayTables(results: GatewayResults): string {
  return [goalLine(results), textTable(latencyRows(results)), textTable(partRows(results)), textTable(timelineRows(results))].join('\n\n');
}

/** The stages where the API-only call spends most beyond the durable floor's, as a sentence. */
function largestDifferences({ timeline: { airlock, durableFloor } }: GatewayResults): string {
  const [first, second] = STAGES.map((stage) => ({ name: STAGE_ROWS[stage].name, extra: airlock[stage] - durableFloor[stage] })).sort(
    (a, b) => b.extra - a.extra,
  );
  if (!first || !second) return '';
  return `Beyond the durable floor, most of it is in *${first.name}* (${ms(first.extra)} more) and *${second.name}* (${ms(second.extra)} more).`;
}

function reading(results: GatewayResults): string {
  const { latency: l } = results;
  const front = l.mcp.p50 - l.api.p50;
  const frontSentence =
    Math.abs(front) <= 0.1 * l.api.p50
      ? `Without the MCP front, the API alone took ${ms(l.api.p50)}: Airlock's MCP server, its catalogue read (${ms(l.catalogue.p50)}) included, ` +
        `made no difference beyond the run's noise (${added(l.mcp.p50, l.api.p50)} at p50).`
      : `Without the MCP front, the API alone took ${ms(l.api.p50)}: Airlock's MCP server, its catalogue read (${ms(l.catalogue.p50)}) included, ` +
        `made ${added(l.mcp.p50, l.api.p50)} of difference at p50.`;
  const sentences = [
    `An auto-allowed call through the gateway, as an agent makes it, took ${ms(l.mcp.p50)} at p50 (${ms(l.mcp.p95)} at p95), ` +
      `${ratio(l.mcp.p50, l.floor.p50)} the same call made straight to the server (${ms(l.floor.p50)}): it added ${added(l.mcp.p50, l.floor.p50)} ` +
      `(goal ≤ ${results.goal.addedMsP50} ms: ${met(results) ? 'met' : 'not met'}).`,
    `A one-activity workflow making the same call took ${ms(l.durableFloor.p50)}: that much of the added time any durable call pays here ` +
      `(Temporal's start, two workflow tasks, one activity, the client's wait), and Airlock's own path the other ` +
      `${ms(l.mcp.p50 - l.durableFloor.p50)}.`,
    frontSentence,
    largestDifferences(results),
    `The API's own work before the start reaches the server is small (*sent → workflow started*, ${ms(results.timeline.airlock.toStart)}); ` +
      `no Airlock code runs in the dispatch stages (the server's matching and the worker's pollers), which vary from run to run on a shared machine.`,
    `A long poll that saw the close reads the final state from the close event (${ms(l.closeEventRead.p50)}), not by a query, ` +
      `which for a closed workflow a worker answers by replaying its history (${ms(l.closedRead.p50)} through the API, as a GET without waiting still does).`,
  ];
  return sentences.filter((sentence) => sentence !== '').join(' ');
}

export function gatewayMarkdown(results: GatewayResults): string {
  const { latency: l } = results;
  return `## MCP gateway: an auto-allowed downstream call against calling the server directly

\`npm run bench -- gateway\` (not part of the default \`npm run bench\`, whose 5 minutes the
workflow benchmark fills). \`bench/gateway.ts\` starts a private Temporal dev server (in memory)
and moto, (the bench servers come as a pair; a gateway call takes no AWS credentials, so nothing calls
moto) and runs Airlock in one process as the workflow benchmark does (worker, real Fastify API
with real API keys on loopback, a fresh SQLite audit store), with a gateway file naming the real
\`@modelcontextprotocol/server-everything\` as \`everything\` (stdio, started by this Node). Worker
and API each connect to it, as their processes do, and run with the production catalogue (the
built-ins and the gateway's tools). The policy, \`bench/gateway/policy.yaml\`, allows
\`mcp.everything.echo\` at once for \`bench-auto\`. Airlock's MCP server (\`createMcpHttpServer\`,
what \`npm run mcp:http\` serves) listens in the same process. The tool is \`echo\`: cheap and
deterministic, so what is measured is the path, not the tool. Every answer is checked to be
\`Echo: <message>\`.

- *floor*: the same call made straight to the server: the MCP SDK's \`Client\` over stdio to a
  server-everything process of its own, \`tools/call\` of \`echo\`. The ratio and the *added*
  figures are against it.
- *durable floor*: \`client.workflow.execute\` of a workflow whose one activity makes the floor's
  call over its own stdio connection (\`bench/gateway/floor-workflow.ts\`, bundled on its own, its
  worker in the same process): the least a call through a durable workflow can take here.
- *Airlock, API only*: \`POST /v1/actions\` of \`mcp.everything.echo\`, then the long-poll
  \`GET /v1/actions/{id}?waitSeconds=\` until \`succeeded\`, with \`AirlockClient\` (the client
  Airlock's MCP server uses).
- *Airlock, as an agent calls*: the MCP SDK's \`Client\` over Streamable HTTP to Airlock's MCP
  server with \`bench-auto\`'s key, \`tools/call\` of \`everything__echo\`: the server reads
  \`GET /v1/catalogue\`, posts the action and long-polls until the outcome, then answers with the
  tool's own answer.

${l.samples} samples after ${l.warmup} warm-up, one call at a time; each iteration makes the four calls in
turn, the order rotating so that no path always follows the same one. Right after the API-only
call it times on its own a read of that action (closed by then) through the API
(\`GET /v1/actions/{id}\`) and from its close event (the Temporal client, as
\`ActionsService.finalState\` reads it), and last \`GET /v1/catalogue\`. Percentiles are
nearest-rank; *added* is Airlock's percentile minus the floor's. The stages come from the event
times of each API-only call's history and each durable floor run's (the server's clock; the
client's for the send and the answer, one machine), p50 of each: they follow one another, so
they add up to the call, though their p50s need not add up to its p50.

The goal is on the added milliseconds, not the ratio: against a floor of about a millisecond
any durable path is a ratio near a hundred or more. It is set from what this machine measured
when it was set, with other work using its 2 cores too: 120 to 157 ms added at p50 over eight
runs, most of them under 142 ms. ${GOAL.addedMsP50} ms added at p50 keeps a gated call far inside the seconds an
agent waits for its model, and is tight enough that a regression the size of one more worker
round trip shows.

Machine: ${describeMachine(results.machine)}. The benchmark took ${results.seconds.toFixed(0)} s (${Object.entries(results.partSeconds)
    .map(([part, seconds]) => `${part} ${seconds.toFixed(1)} s`)
    .join(', ')}; the rest is connecting and stopping); \`npm run bench -- gateway\` adds the tools check and the build.

${markdownTable(goalRows(results))}

${markdownTable(latencyRows(results))}

${markdownTable(partRows(results))}

Where the API-only call's time goes, beside the durable floor's:

${markdownTable(timelineRows(results))}

${reading(results)}`;
}
