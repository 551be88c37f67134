import { performance } from 'node:perf_hooks';
import type { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { temporal as proto } from '@temporalio/proto';
import type { AirlockClient, ActionView } from '../../client';
import type { ActionState } from '../../domain/types';
import { withDeadline } from '../lib/deadline';
import { percentiles, type Percentiles } from '../lib/stats';
import { echoed, expectEcho, SERVER, TOOL } from './downstream';
import { executeFloorTool } from './floor-worker';
import type { TimedRun } from './timeline';

export interface GatewayLatencyResults {
  /** Timed iterations (each gives one sample of every figure), after `warmup` untimed ones. */
  samples: number;
  warmup: number;
  /** tools/call of echo, MCP SDK client over stdio straight to server-everything. */
  floor: Percentiles;
  /** `client.workflow.execute` of a workflow whose one activity makes the floor's call: the least a durable call costs. */
  durableFloor: Percentiles;
  /** tools/call of `everything__echo`, MCP SDK client → Airlock's MCP server (Streamable HTTP) → API → workflow → worker → server-everything. */
  mcp: Percentiles;
  /** `POST /v1/actions` of `mcp.everything.echo` + long-poll `GET /v1/actions/{id}?waitSeconds=` until succeeded (AirlockClient). */
  api: Percentiles;
  /** The POST alone, until its answer. */
  post: Percentiles;
  /** `GET /v1/actions/{id}` of the API-only call's action, closed by then: the read that ends each long poll. */
  closedRead: Percentiles;
  /** The same action's final state read from its close event by the Temporal client (ActionsService's fallback when a query fails). */
  closeEventRead: Percentiles;
  /** `GET /v1/catalogue`, which Airlock's MCP server reads before each gateway call (AirlockClient.listActions). */
  catalogue: Percentiles;
  /** The timed API-only calls and durable floor runs: their histories say where the time went. */
  runs: { api: TimedRun[]; durableFloor: TimedRun[] };
}

const ITERATION_DEADLINE_MS = 60_000;
/** Long enough for any auto-allowed call; a call still not done then fails the run. */
const WAIT_SECONDS = 30;

const STEPS = ['floor', 'durableFloor', 'mcp', 'api', 'post', 'closedRead', 'closeEventRead', 'catalogue'] as const;
type Step = (typeof STEPS)[number];

export interface GatewayClients {
  /** MCP client straight to the downstream server. */
  floor: McpClient;
  /** MCP client on Airlock's MCP server, as the auto-allowed agent. */
  agent: McpClient;
  /** The API client Airlock's MCP server itself uses, with the same agent's key. */
  airlock: AirlockClient;
  /** The Temporal client and the durable floor's task queue. */
  temporal: Client;
  floorTaskQueue: string;
}

/**
 * One call at a time, so each figure is latency, not queueing. Every iteration makes the floor's
 * call, the durable floor's, the API-only call and the agent's call in turn (the order rotating),
 * so all four see the same machine, whatever else it is doing at that moment. Every answer is checked: a benchmark of errors measures nothing.
 */
export async function measureGatewayLatencies(clients: GatewayClients, options: { samples: number; warmup: number }): Promise<GatewayLatencyResults> {
  const times = Object.fromEntries(STEPS.map((step) => [step, [] as number[]])) as Record<Step, number[]>;
  const runs: GatewayLatencyResults['runs'] = { api: [], durableFloor: [] };
  for (let i = 0; i < options.warmup + options.samples; i += 1) {
    const sample = await withDeadline(iteration(clients, i), ITERATION_DEADLINE_MS, `gateway latency iteration ${i}`);
    if (i < options.warmup) continue;
    for (const step of STEPS) times[step].push(sample.times[step]);
    runs.api.push(sample.runs.api);
    runs.durableFloor.push(sample.runs.durableFloor);
  }
  return {
    samples: options.samples,
    warmup: options.warmup,
    floor: percentiles(times.floor),
    durableFloor: percentiles(times.durableFloor),
    mcp: percentiles(times.mcp),
    api: percentiles(times.api),
    post: percentiles(times.post),
    closedRead: percentiles(times.closedRead),
    closeEventRead: percentiles(times.closeEventRead),
    catalogue: percentiles(times.catalogue),
    runs,
  };
}

async function timed<T>(step: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await step();
  return [value, performance.now() - started];
}

async function iteration(
  { floor, agent, airlock, temporal, floorTaskQueue }: GatewayClients,
  i: number,
): Promise<{ times: Record<Step, number>; runs: { api: TimedRun; durableFloor: TimedRun } }> {
  const times: Partial<Record<Step, number>> = {};
  let apiRun: TimedRun | undefined;
  let durableFloorRun: TimedRun | undefined;

  const callFloor = async (): Promise<void> => {
    const message = `bench floor ${i}`;
    const [answer, took] = await timed(() => floor.callTool({ name: TOOL, arguments: { message } }));
    expectEcho('the floor (server-everything over stdio)', answer as CallToolResult, message);
    times.floor = took;
  };
  const callDurableFloor = async (): Promise<void> => {
    const sentAt = Date.now();
    const [workflowId, took] = await timed(() => executeFloorTool(temporal, floorTaskQueue, `bench durable floor ${i}`));
    durableFloorRun = { workflowId, sentAt, doneAt: sentAt + took };
    times.durableFloor = took;
  };
  const callApi = async (): Promise<void> => {
    const message = `bench API ${i}`;
    const sentAt = Date.now();
    const [[posted, postMs], took] = await timed(async () => {
      const answer = await timed(() => airlock.request({ action: `mcp.${SERVER}.${TOOL}`, params: { message }, justification: 'Benchmark: gateway latency' }));
      expectEchoAction(await airlock.waitForOutcome(answer[0].id, { timeoutSeconds: WAIT_SECONDS }), message);
      return answer;
    });
    apiRun = { workflowId: posted.id, sentAt, doneAt: sentAt + took };
    times.api = took;
    times.post = postMs;
    // The reads of the closed action, each on its own: what ends the long poll, and what could.
    const [closed, closedReadMs] = await timed(() => airlock.get(posted.id));
    expectEchoAction(closed, message);
    times.closedRead = closedReadMs;
    const [final, closeEventReadMs] = await timed(() => finalState(temporal, posted.id));
    if (final?.status !== 'succeeded') throw new Error(`the close event of ${posted.id} holds ${JSON.stringify(final).slice(0, 500)}`);
    times.closeEventRead = closeEventReadMs;
  };
  const callMcp = async (): Promise<void> => {
    const message = `bench MCP ${i}`;
    const [answer, took] = await timed(() => agent.callTool({ name: `${SERVER}__${TOOL}`, arguments: { message } }));
    expectEcho('Airlock’s MCP server', answer as CallToolResult, message);
    times.mcp = took;
  };

  // The order rotates, so no path always follows the same one (a workflow just closed leaves the server work to do).
  const calls = [callFloor, callDurableFloor, callApi, callMcp];
  for (let k = 0; k < calls.length; k += 1) await (calls[(i + k) % calls.length] as () => Promise<void>)();

  const [entries, catalogueMs] = await timed(() => airlock.listActions());
  if (!entries.some((entry) => entry.name === `mcp.${SERVER}.${TOOL}`)) throw new Error(`GET /v1/catalogue does not list mcp.${SERVER}.${TOOL}`);
  times.catalogue = catalogueMs;

  if (!apiRun || !durableFloorRun || STEPS.some((step) => times[step] === undefined)) throw new Error(`gateway latency iteration ${i} missed a step`);
  return { times: times as Record<Step, number>, runs: { api: apiRun, durableFloor: durableFloorRun } };
}

function expectEchoAction(view: ActionView, message: string): void {
  const content = view.result?.toolResult?.content ?? [];
  const expected = { type: 'text', text: echoed(message) };
  if (view.status !== 'succeeded' || view.result?.toolResult?.isError === true || JSON.stringify(content) !== JSON.stringify([expected]))
    throw new Error(`${view.id} ended ${view.status}: ${JSON.stringify(view).slice(0, 500)}`);
}

/** A closed action's final state from its close event, as ActionsService.finalState reads it: no worker involved. */
async function finalState(client: Client, workflowId: string): Promise<ActionState | undefined> {
  const closing = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId },
    historyEventFilterType: proto.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  const payloads = closing.history?.events?.[0]?.workflowExecutionCompletedEventAttributes?.result?.payloads;
  return payloads?.length ? decodeFromPayloadsAtIndex<ActionState>(client.workflow.options.loadedDataConverter, 0, payloads) : undefined;
}
