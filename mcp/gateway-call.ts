import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AirlockApiError, type ActionView, type AirlockClient } from '../client';
import { DomainErrorCode } from '../domain/errors';
import { gatewayResult } from './gateway-result';
import {
  findGatewayEntry,
  JUSTIFICATION_ARGUMENT,
  JUSTIFICATION_MAX,
  JUSTIFICATION_MIN,
  looksLikeGatewayTool,
  takesOwnJustification,
  type GatewayEntry,
} from './gateway-tools';
import { invalidArguments, toolNotFound, type ToolExtra } from './own-tool';
import { toolError } from './tool-error';
import { waitForOutcome } from './wait';

const justificationSchema = z.object({ [JUSTIFICATION_ARGUMENT]: z.string().min(JUSTIFICATION_MIN).max(JUSTIFICATION_MAX).optional() });

/** For reviewers when the agent gave no reason: which tool, and that no reason was given. */
function defaultJustification(entry: GatewayEntry): string {
  return `The agent called ${entry.tool.name} on the MCP server ${entry.tool.server} without saying why.`;
}

/**
 * An API refusal as toolError words it, except that invalid params are this tool's arguments:
 * the model fixes them and calls the tool again, rather than turning to request_action.
 */
function refusal(err: unknown, toolName: string): CallToolResult {
  const result = toolError(err);
  if (!(err instanceof AirlockApiError) || err.code !== DomainErrorCode.InvalidParams) return result;
  const issues = (err.issues ?? []).map((issue) => `${issue.path.replace(/^params\./, '')}: ${issue.message}`);
  const text =
    `Airlock refused (${err.status} ${err.code}): ${issues.length > 0 ? issues.join('; ') : err.message}\n` +
    `Fix the named arguments (the tool's inputSchema describes them) and call ${toolName} again.`;
  return { ...result, content: [{ type: 'text', text }] };
}

/**
 * tools/call of a gateway tool (`<server>__<tool>`): asks the API for its `mcp.<server>.<tool>`
 * action with the arguments, then waits up to `waitSeconds` for the outcome. The catalogue is read
 * per call, as for tools/list, so a name means what this agent was shown and nothing else.
 */
export async function callGatewayTool(
  client: AirlockClient,
  name: string,
  args: Record<string, unknown>,
  extra: ToolExtra,
  waitSeconds: number,
): Promise<CallToolResult> {
  if (!looksLikeGatewayTool(name)) return toolNotFound(name);
  let entry: GatewayEntry | undefined;
  try {
    entry = findGatewayEntry(await client.listActions(), name);
  } catch (err) {
    return toolError(err);
  }
  if (!entry) return toolNotFound(name);

  let params = args;
  let justification = defaultJustification(entry);
  if (!takesOwnJustification(entry)) {
    const parsed = justificationSchema.safeParse(args);
    if (!parsed.success) return invalidArguments(name, parsed.error);
    params = Object.fromEntries(Object.entries(args).filter(([key]) => key !== JUSTIFICATION_ARGUMENT));
    justification = parsed.data[JUSTIFICATION_ARGUMENT] ?? justification;
  }

  let view: ActionView;
  try {
    view = await client.request({ action: entry.name, params, justification });
  } catch (err) {
    return refusal(err, name);
  }
  try {
    return gatewayResult(await waitForOutcome(client, view, waitSeconds, extra), name);
  } catch (err) {
    // The action exists: answer with its id, so the model follows it up instead of calling again.
    return gatewayResult(view, name, `(Waiting was cut short: ${err instanceof Error ? err.message : String(err)}.)`);
  }
}
