import { RELATED_TASK_META_KEY, type CallToolResult, type CreateTaskResult, type Task } from '@modelcontextprotocol/sdk/types.js';
import { isTerminal, type ActionView } from '../client';
import { describeAction } from './describe';
import { gatewayResult } from './gateway-result';

/*
 * A gateway tool call's action as an MCP task (spec 2025-11-25, basic/utilities/tasks): the task id
 * is the action id, and all else is read from the action. Nothing is kept here, so any instance of
 * this server, started at any time, answers for every task the client's key may read.
 */

/** The spec's `_meta` key for the text a host may give the model at once while the task runs. */
const MODEL_IMMEDIATE_RESPONSE = 'io.modelcontextprotocol/model-immediate-response';

/**
 * How long a task stays readable from its creation, at least: Temporal keeps a closed workflow for
 * the namespace's retention, which by default it refuses to set below a day. A requested ttl
 * changes nothing (the spec lets the receiver choose): the action lives as long as it does.
 */
export const TASK_TTL_MS = 24 * 60 * 60 * 1000;

/** Suggested polling: humans take minutes to review; policy and the call itself, seconds. */
const POLL_REVIEW_MS = 5_000;
const POLL_MACHINE_MS = 1_000;

/** Only gateway actions (`action-mcp.<server>.<tool>-…`) were ever tasks; other ids are not looked up. */
export function isGatewayTaskId(id: string): boolean {
  return id.startsWith('action-mcp.');
}

/** `mcp.<server>.<tool>` → `<server>__<tool>`: server names have no dots, tool names may. */
export function toolNameOf(action: string): string {
  const [, server = '', ...tool] = action.split('.');
  return `${server}__${tool.join('.')}`;
}

/**
 * The task's status. Pending review is `working`, not `input_required`: the input awaited is the
 * reviewers', not the requesting client's. A tool call whose answer is an error (denied, rejected,
 * expired, failed, the tool's own isError) is `failed`, as the spec says of tool calls.
 */
export function taskStatus(view: ActionView): Task['status'] {
  if (!isTerminal(view)) return 'working';
  if (view.status === 'cancelled') return 'cancelled';
  return view.status === 'succeeded' && !view.result?.toolResult?.isError ? 'completed' : 'failed';
}

/** tasks/get's answer (and tasks/cancel's): the action as a task. */
export function taskOf(view: ActionView): Task {
  const said = describeAction(view, '');
  return {
    taskId: view.id,
    status: taskStatus(view),
    statusMessage: view.status === 'succeeded' && view.result?.toolResult?.isError ? `${said} The tool reported an error.` : said,
    createdAt: view.requestedAt,
    lastUpdatedAt: view.updatedAt,
    ttl: TASK_TTL_MS,
    pollInterval: view.status === 'pending_review' ? POLL_REVIEW_MS : POLL_MACHINE_MS,
  };
}

/**
 * A task-augmented tools/call's answer, given as soon as the API has the action. Always `working`
 * (the spec has every task begin there), even when policy has already denied it: the first
 * tasks/get tells.
 */
export function createdTask(view: ActionView, toolName: string): CreateTaskResult {
  const immediate =
    `${toolName} runs as Airlock action ${view.id}: ${describeAction(view, '')} ` +
    `Its result comes when the task completes; do not call ${toolName} again for it.`;
  return { task: { ...taskOf(view), status: 'working' }, _meta: { [MODEL_IMMEDIATE_RESPONSE]: immediate } };
}

/** tasks/result's answer for a final action: what the plain tools/call would have answered, tied to its task. */
export function taskResult(view: ActionView): CallToolResult {
  return { ...gatewayResult(view, toolNameOf(view.action)), _meta: { [RELATED_TASK_META_KEY]: { taskId: view.id } } };
}
