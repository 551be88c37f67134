import { randomUUID } from 'node:crypto';
import type { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { quietBundlerLogger } from '../../scripts/lib/quiet-temporal';
import { runWorker } from '../lib/run-worker';
import { connectFloor, echoed, TOOL } from './downstream';
import { floorToolWorkflow } from './floor-workflow';

/** The durable floor's one activity: echo over its own stdio connection, its text returned. */
export interface FloorToolActivities {
  callTool(message: string): Promise<string>;
}

/** A worker for the durable floor, in this process like Airlock's, on its own task queue, with its own server-everything. */
export interface FloorToolWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startFloorToolWorker(temporalAddress: string, taskQueue: string): Promise<FloorToolWorker> {
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./floor-workflow'), logger: quietBundlerLogger });
  const downstream: McpClient = await connectFloor();
  const activities: FloorToolActivities = {
    async callTool(message) {
      const result = (await downstream.callTool({ name: TOOL, arguments: { message } })) as CallToolResult;
      const [block] = result.content;
      return block?.type === 'text' ? block.text : JSON.stringify(result);
    },
  };
  let connection: NativeConnection | undefined;
  try {
    connection = await NativeConnection.connect({ address: temporalAddress });
    const worker = await Worker.create({ connection, namespace: 'default', taskQueue, workflowBundle, activities });
    const stopWorker = runWorker(worker);
    const opened = connection;
    return {
      taskQueue,
      async stop() {
        await stopWorker();
        await opened.close();
        await downstream.close();
      },
    };
  } catch (err) {
    await connection?.close();
    await downstream.close();
    throw err;
  }
}

/** `client.workflow.execute` of the durable floor: started, one activity that calls echo, awaited; returns its workflow id. */
export async function executeFloorTool(client: Client, taskQueue: string, message: string): Promise<string> {
  const workflowId = `floor-tool-${randomUUID()}`;
  const text = await client.workflow.execute(floorToolWorkflow, { taskQueue, workflowId, args: [message] });
  if (text !== echoed(message)) throw new Error(`floor workflow ${workflowId} returned ${JSON.stringify(text)}`);
  return workflowId;
}
