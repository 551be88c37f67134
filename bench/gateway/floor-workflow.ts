/**
 * The durable floor of the gateway benchmark: the least a Temporal workflow can do to make the
 * same call, started and awaited. Bundled on its own, never with workflows/. Deterministic code only.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { FloorToolActivities } from './floor-worker';

const { callTool } = proxyActivities<FloorToolActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } });

/** One activity that calls echo on the downstream server and returns its text. */
export async function floorToolWorkflow(message: string): Promise<string> {
  return callTool(message);
}
