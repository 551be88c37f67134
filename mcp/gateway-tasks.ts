import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CancelTaskRequestSchema,
  ErrorCode,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  McpError,
  type CallToolResult,
  type CreateTaskResult,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { AirlockApiError, isTerminal, type ActionView, type AirlockClient } from '../client';
import { RefusalCode } from '../domain/types';
import { describeAction } from './describe';
import { requestGatewayAction } from './gateway-call';
import { createdTask, isGatewayTaskId, taskOf, taskResult, taskStatus } from './gateway-task';
import { toolError } from './tool-error';
import { toolText } from './tool-text';
import { waitUntilFinal } from './wait';

/**
 * The `tasks` capability: task-augmented tools/call (of the gateway tools, whose execution.taskSupport
 * says `optional`) and tasks/cancel. No tasks/list: the API client has no list of one's own actions.
 */
export const TASKS_CAPABILITY: NonNullable<ServerCapabilities['tasks']> = { cancel: {}, requests: { tools: { call: {} } } };

const CANCEL_REASON = 'Cancelled by the agent (MCP tasks/cancel).';

/** The spec's error for an unknown task, also for one this key may not read: it must not tell which. */
function taskNotFound(): McpError {
  return new McpError(ErrorCode.InvalidParams, 'Failed to retrieve task: Task not found');
}

/** A refusal's text, without the "MCP error -32602: " an McpError adds again. */
function textOf(result: CallToolResult): string {
  return toolText(result).replace(/^MCP error -?\d+: /, '');
}

/** An API failure as the spec's protocol errors: unknown (the API answers 404 for others' actions too), else internal. */
function apiFailure(err: unknown): McpError {
  if (err instanceof AirlockApiError && (err.status === 404 || err.code === 'forbidden')) return taskNotFound();
  return new McpError(ErrorCode.InternalError, textOf(toolError(err)));
}

/** The action behind a task id, as this client's key may read it. */
async function readAction(client: AirlockClient, taskId: string): Promise<ActionView> {
  if (!isGatewayTaskId(taskId)) throw taskNotFound();
  try {
    return await client.get(taskId);
  } catch (err) {
    throw apiFailure(err);
  }
}

/**
 * A task-augmented tools/call of a gateway tool: the action is asked for exactly as in a plain call,
 * and the task is answered at once. A call that never became an action has no task: its refusal is
 * a JSON-RPC error instead.
 */
export async function createGatewayTask(client: AirlockClient, name: string, args: Record<string, unknown>): Promise<CreateTaskResult> {
  const requested = await requestGatewayAction(client, name, args);
  if ('refusal' in requested) throw new McpError(requested.code, textOf(requested.refusal));
  return createdTask(requested.view, name);
}

/** Why the API would not cancel: a final action (the spec's error for a terminal task), or one already approved. */
async function notCancellable(client: AirlockClient, taskId: string): Promise<McpError> {
  const view = await readAction(client, taskId);
  if (isTerminal(view)) return new McpError(ErrorCode.InvalidParams, `Cannot cancel task: already in terminal status '${taskStatus(view)}'`);
  return new McpError(ErrorCode.InvalidParams, `Cannot cancel task: ${describeAction(view, '')} Once approved it runs and can no longer be cancelled.`);
}

/** tasks/get, tasks/result and tasks/cancel, each answered from the API alone. */
export function serveGatewayTasks(server: Server, client: AirlockClient): void {
  server.setRequestHandler(GetTaskRequestSchema, async (request) => taskOf(await readAction(client, request.params.taskId)));

  server.setRequestHandler(GetTaskPayloadRequestSchema, async (request, extra) => {
    const view = await readAction(client, request.params.taskId);
    let final: ActionView;
    try {
      final = await waitUntilFinal(client, view, extra);
    } catch (err) {
      throw apiFailure(err);
    }
    // Not final only when the request was cancelled: then this answer is never sent.
    if (!isTerminal(final)) throw new McpError(ErrorCode.RequestTimeout, 'tasks/result was cancelled before the task completed');
    return taskResult(final);
  });

  server.setRequestHandler(CancelTaskRequestSchema, async (request) => {
    const { taskId } = request.params;
    if (!isGatewayTaskId(taskId)) throw taskNotFound();
    try {
      return taskOf(await client.cancel(taskId, { reason: CANCEL_REASON }));
    } catch (err) {
      if (err instanceof AirlockApiError && err.code === RefusalCode.NotCancellable) throw await notCancellable(client, taskId);
      throw apiFailure(err);
    }
  });
}
