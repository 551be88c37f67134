import { ContentBlockSchema, type CallToolResult, type ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isTerminal, type ActionView, type JsonValue, type ToolResult } from '../client';
import { describeAction } from './describe';
import { MAX_WAIT_SECONDS } from './wait';

const contentBlocks = z.array(ContentBlockSchema);

/**
 * A downstream tool's content blocks as MCP content. They came from an MCP server and through the
 * API as JSON; should one not be a content block any more, the blocks go on as JSON text rather
 * than making the whole answer a protocol error.
 */
export function toolContent(blocks: readonly JsonValue[]): ContentBlock[] {
  const parsed = contentBlocks.safeParse(blocks);
  return parsed.success ? parsed.data : [{ type: 'text', text: JSON.stringify(blocks) }];
}

/** The tool's answer as its server gave it: content, structuredContent and isError, nothing added. */
function asGiven(result: ToolResult): CallToolResult {
  return {
    content: toolContent(result.content),
    ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent }),
    ...(result.isError ? { isError: true } : {}),
  };
}

/** Where a call that has not run stands, in the words a model needs first. */
const STAGE: Partial<Record<ActionView['status'], string>> = {
  evaluating: "is waiting for Airlock's policy decision",
  pending_review: 'is waiting for human review',
  approved: 'is approved and about to run',
  executing: 'is running',
};

/**
 * Not final when the wait ended: a normal answer (not an error) that names the action and how to
 * get the tool's result. No structuredContent: the tool's own is not there yet.
 */
function notYet(view: ActionView, toolName: string, note: string | undefined): CallToolResult {
  const text =
    `${toolName} ${STAGE[view.status] ?? `is ${view.status}`} as Airlock action ${view.id}, so it has no result yet. ` +
    `${describeAction(view)} ` +
    `Once it has run, get_action with id "${view.id}" and wait_seconds (up to ${MAX_WAIT_SECONDS}) returns the tool's result. ` +
    `Do not call ${toolName} again for this: that would ask for a second call.${note ? ` ${note}` : ''}`;
  return { content: [{ type: 'text', text }] };
}

/**
 * A gateway tool call's answer from its action: the tool's own result once it succeeded; an error
 * saying why when it failed, was denied, rejected, expired or cancelled; else where it stands.
 */
export function gatewayResult(view: ActionView, toolName: string, note?: string): CallToolResult {
  if (!isTerminal(view)) return notYet(view, toolName, note);
  const toolResult = view.result?.toolResult;
  if (view.status === 'succeeded') return toolResult ? asGiven(toolResult) : { content: [{ type: 'text', text: describeAction(view) }] };
  // A tool that answered isError fails its action: the reason is in view.error; its blocks, if kept, follow.
  return { isError: true, content: [{ type: 'text', text: describeAction(view) }, ...(toolResult ? toolContent(toolResult.content) : [])] };
}
