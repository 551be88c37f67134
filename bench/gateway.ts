import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AirlockClient } from '../client';
import { createMcpHttpServer, MCP_PATH } from '../mcp/http-server';
import { quietRuntime } from '../scripts/lib/quiet-temporal';
import { bundleAirlockWorkflows } from '../workers/workflow-bundle';
import { startAirlockStack } from './lib/airlock-stack';
import { BENCH_TRUSTED_KEYS } from './lib/bench-identity';
import { withBenchServers, type BenchServers } from './lib/bench-servers';
import { describeMachine, machine, writeDocSection, writeResults } from './lib/publish';
import { UndoStack } from './lib/undo-stack';
import { connectAgent, connectFloor, GATEWAY_POLICY_FILE, writeGatewayFile } from './gateway/downstream';
import { startFloorToolWorker } from './gateway/floor-worker';
import { measureGatewayLatencies, type GatewayLatencyResults } from './gateway/latency';
import { GOAL, gatewayMarkdown, gatewayTables, type GatewayResults } from './gateway/report';
import { callTimeline } from './gateway/timeline';

/**
 * An auto-allowed call of a downstream MCP tool through Airlock's gateway, as an agent makes it,
 * against the same call made straight to the same server (the floor): server-everything's echo
 * over stdio, on one freshly started Temporal dev server, in one run, with the ratio, the added
 * milliseconds and their goal, a durable floor (a one-activity workflow making the call), and
 * where the time goes. See docs/benchmarks.md for the method.
 */
const NAME = 'gateway';
const LATENCY = { samples: 60, warmup: 5 };
const TASK_QUEUE = 'airlock-bench-gateway';
const FLOOR_TASK_QUEUE = 'airlock-bench-gateway-floor';
/** How long Airlock's MCP server waits for a call's outcome: far longer than an auto-allowed call takes. */
const CALL_WAIT_SECONDS = 30;

type PartTimer = <T>(part: string, run: () => Promise<T>) => Promise<T>;

export async function gatewayBenchmark(): Promise<void> {
  const started = performance.now();
  const partSeconds: Record<string, number> = {};
  const timedPart: PartTimer = async (part, run) => {
    const partStarted = performance.now();
    const value = await run();
    partSeconds[part] = (performance.now() - partStarted) / 1000;
    console.log(`  ${part}: ${(partSeconds[part] ?? 0).toFixed(1)} s`);
    return value;
  };
  quietRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-gateway-'));
  try {
    const gatewayFile = writeGatewayFile(dir);
    const measured = await withBenchServers((servers) => {
      partSeconds.servers = (performance.now() - started) / 1000;
      return measure(servers, gatewayFile, timedPart);
    });
    const results: GatewayResults = {
      benchmark: NAME,
      machine: machine(),
      ...measured,
      goal: GOAL,
      partSeconds,
      seconds: (performance.now() - started) / 1000,
    };
    console.log(`\n${describeMachine(results.machine)}\n\n${gatewayTables(results)}\n`);
    console.log(`wrote ${writeResults(NAME, results)}`);
    console.log(`wrote ${writeDocSection(NAME, gatewayMarkdown(results))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts Airlock with the gateway, its MCP server, the durable floor and the clients; measures; stops all of it, last started first. */
async function measure(servers: BenchServers, gatewayFile: string, timedPart: PartTimer): Promise<Pick<GatewayResults, 'latency' | 'timeline'>> {
  const undo = new UndoStack();
  const stop = (): Promise<void> => undo.run();
  try {
    const bundle = await timedPart('bundle', () => bundleAirlockWorkflows(BENCH_TRUSTED_KEYS));
    const stack = await timedPart('stack', () => startAirlockStack(servers, bundle, TASK_QUEUE, { policyFile: GATEWAY_POLICY_FILE, gatewayFile }));
    undo.push(() => stack.stop());
    // Airlock's MCP server in this process, as `npm run mcp:http` serves it, on loopback.
    const mcpHttp = createMcpHttpServer({
      airlockUrl: stack.baseUrl,
      callWaitSeconds: CALL_WAIT_SECONDS,
      log: (message) => console.error(`  MCP server: ${message}`),
    });
    await new Promise<void>((listening) => mcpHttp.listen(0, '127.0.0.1', listening));
    undo.push(() => closeServer(mcpHttp));
    const mcpUrl = new URL(`http://127.0.0.1:${(mcpHttp.address() as AddressInfo).port}${MCP_PATH}`);

    const durableFloor = await timedPart('durable floor worker', () => startFloorToolWorker(servers.temporalAddress, FLOOR_TASK_QUEUE));
    undo.push(() => durableFloor.stop());
    const floor = await connectFloor();
    undo.push(() => floor.close());
    const key = stack.keys['bench-auto'];
    const agent = await connectAgent(mcpUrl, key);
    undo.push(() => agent.close());
    const airlock = new AirlockClient({ baseUrl: stack.baseUrl, apiKey: key });

    console.log(`latency: ${LATENCY.samples} samples of each path…`);
    const latency: GatewayLatencyResults = await timedPart('latency', () =>
      measureGatewayLatencies({ floor, agent, airlock, temporal: stack.client, floorTaskQueue: durableFloor.taskQueue }, LATENCY),
    );
    const timeline = await timedPart('timeline', async () => ({
      airlock: await callTimeline(stack.client, latency.runs.api),
      durableFloor: await callTimeline(stack.client, latency.runs.durableFloor),
    }));
    await stop();
    return { latency, timeline };
  } catch (err) {
    await stop().catch(() => undefined); // the measuring failure is the one to report
    throw err;
  }
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((closed, failed) => server.close((err) => (err ? failed(err) : closed())));
}
