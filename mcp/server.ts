import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type CreateTaskResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { RELEASE } from '../config/release';
import type { AirlockClient } from '../client';
import { callGatewayTool } from './gateway-call';
import { createGatewayTask, serveGatewayTasks, TASKS_CAPABILITY } from './gateway-tasks';
import { gatewayToolDefinitions } from './gateway-tools';
import { ownTools, PENDING_IS_NORMAL } from './own-tools';
import { DEFAULT_CALL_WAIT_SECONDS } from './wait';

export interface McpServerOptions {
  /** How long a gateway tool call waits for its outcome before answering that it is still pending (0-300 s). */
  callWaitSeconds?: number | undefined;
  /** Where a failed catalogue read is reported (never with the key); stderr by default. */
  log?: ((message: string) => void) | undefined;
}

const INSTRUCTIONS =
  'Airlock runs privileged AWS actions after policy and, where the policy says so, human review. ' +
  `Call list_actions, then request_action. ${PENDING_IS_NORMAL} Poll with get_action and wait_seconds. ` +
  'Tools named <server>__<tool> are the tools of other MCP servers behind Airlock: call them as usual; ' +
  'a call that waits for review answers with an action id, and get_action with that id returns the tool result once it has run.';

/**
 * An MCP server that calls the Airlock API through `client`, as the client's principal: Airlock's
 * own four tools, and the API's gateway tools (downstream MCP tools behind policy and review, named
 * `<server>__<tool>`), read from the catalogue on every tools/list so they are current and this
 * agent's. The low-level Server, because McpServer takes zod schemas only and a downstream tool's
 * inputSchema is JSON Schema. It holds no Temporal connection: policy, review and execution all
 * stay behind the API. A gateway tool may also be called as an MCP task, whose id is the action's.
 */
export function buildMcpServer(client: AirlockClient, options: McpServerOptions = {}): Server {
  const callWaitSeconds = options.callWaitSeconds ?? DEFAULT_CALL_WAIT_SECONDS;
  const log = options.log ?? ((message: string) => console.error(message));
  const own = new Map(ownTools(client).map((tool) => [tool.definition.name, tool]));
  const server = new Server({ name: 'airlock', version: RELEASE }, { capabilities: { tools: {}, tasks: TASKS_CAPABILITY }, instructions: INSTRUCTIONS });

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools: Tool[] = [...own.values()].map((tool) => tool.definition);
    try {
      tools.push(...gatewayToolDefinitions(await client.listActions()));
    } catch (err) {
      // The own tools still work, and answer the same failure in words the model can act on.
      log(`tools/list without gateway tools: the catalogue could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { tools };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult | CreateTaskResult> => {
    const { name, arguments: args = {}, task } = request.params;
    if (task) {
      // Own tools say taskSupport 'forbidden'; the spec's answer to a task-augmented call of one is -32601.
      if (own.has(name)) throw new McpError(ErrorCode.MethodNotFound, `Tool ${name} cannot be called as a task (execution.taskSupport: 'forbidden')`);
      return createGatewayTask(client, name, args);
    }
    try {
      const tool = own.get(name);
      return tool ? await tool.call(args, extra) : await callGatewayTool(client, name, args, extra, callWaitSeconds);
    } catch (err) {
      // As McpServer answered a tool that threw: the message as a tool error.
      return { isError: true, content: [{ type: 'text', text: err instanceof Error ? err.message : String(err) }] };
    }
  });

  serveGatewayTasks(server, client);
  return server;
}
