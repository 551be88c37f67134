import { ErrorCode, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
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

/** What a gateway tools/call became: its action, or a refusal before any, with the JSON-RPC code a task-augmented call fails with instead. */
export type GatewayRequest = { view: ActionView } | { refusal: CallToolResult; code: ErrorCode };

/** A refusal the API gave for the request: the caller's to fix (400), or Airlock's trouble. */
function refused(err: unknown, toolName: string): GatewayRequest {
  const code = err instanceof AirlockApiError && err.status === 400 ? ErrorCode.InvalidParams : ErrorCode.InternalError;
  return { refusal: refusal(err, toolName), code };
}

/**
 * Asks the API for the `mcp.<server>.<tool>` action a gateway tool's call (`<server>__<tool>`)
 * stands for, the justification taken out of the arguments. The catalogue is read per call, as for
 * tools/list, so a name means what this agent was shown and nothing else.
 */
export async function requestGatewayAction(client: AirlockClient, name: string, args: Record<string, unknown>): Promise<GatewayRequest> {
  if (!looksLikeGatewayTool(name)) return { refusal: toolNotFound(name), code: ErrorCode.InvalidParams };
  let entry: GatewayEntry | undefined;
  try {
    entry = findGatewayEntry(await client.listActions(), name);
  } catch (err) {
    return { refusal: toolError(err), code: ErrorCode.InternalError };
  }
  if (!entry) return { refusal: toolNotFound(name), code: ErrorCode.InvalidParams };

  let params = args;
  let justification = defaultJustification(entry);
  if (!takesOwnJustification(entry)) {
    const parsed = justificationSchema.safeParse(args);
    if (!parsed.success) return { refusal: invalidArguments(name, parsed.error), code: ErrorCode.InvalidParams };
    params = Object.fromEntries(Object.entries(args).filter(([key]) => key !== JUSTIFICATION_ARGUMENT));
    justification = parsed.data[JUSTIFICATION_ARGUMENT] ?? justification;
  }

  try {
    return { view: await client.request({ action: entry.name, params, justification }) };
  } catch (err) {
    return refused(err, name);
  }
}

/**
 * tools/call of a gateway tool, not task-augmented: asks for its action, then waits up to
 * `waitSeconds` for the outcome.
 */
export async function callGatewayTool(
  client: AirlockClient,
  name: string,
  args: Record<string, unknown>,
  extra: ToolExtra,
  waitSeconds: number,
): Promise<CallToolResult> {
  const requested = await requestGatewayAction(client, name, args);
  if ('refusal' in requested) return requested.refusal;
  const { view } = requested;
  try {
    return gatewayResult(await waitForOutcome(client, view, waitSeconds, extra), name);
  } catch (err) {
    // The action exists: answer with its id, so the model follows it up instead of calling again.
    return gatewayResult(view, name, `(Waiting was cut short: ${err instanceof Error ? err.message : String(err)}.)`);
  }
}
