import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { isTerminal, type ActionView, type AirlockClient } from '../client';

/** The longest wait one tool call may ask for: an MCP call held open longer is likely cut by the client. */
export const MAX_WAIT_SECONDS = 300;

/**
 * How long a gateway tool call waits for its outcome by default: under the 60 s that many MCP
 * clients give a tool call, so the answer (still pending, with the action id) arrives in time.
 */
export const DEFAULT_CALL_WAIT_SECONDS = 50;

/**
 * Long-polls in steps this long, reporting progress after each, so a client that asked for
 * progress (and resets its request timeout on it) can wait longer than its default timeout.
 */
const STEP_SECONDS = 20;

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * Waits up to `seconds` for the action to reach a final state, through the API's long-poll;
 * returns the latest view either way. Stops early when the MCP request is cancelled.
 */
export async function waitForOutcome(client: AirlockClient, view: ActionView, seconds: number, extra: Extra): Promise<ActionView> {
  return longPoll(client, view, Date.now() + Math.min(seconds, MAX_WAIT_SECONDS) * 1000, extra);
}

/**
 * Waits, however long the review takes, until the action is final (MCP `tasks/result` blocks so);
 * returns early, not final, only when the MCP request is cancelled.
 */
export async function waitUntilFinal(client: AirlockClient, view: ActionView, extra: Extra): Promise<ActionView> {
  return longPoll(client, view, Number.POSITIVE_INFINITY, extra);
}

/**
 * Long polls of up to STEP_SECONDS until `deadline` (ms, or Infinity). When the client asked for
 * progress, one notification says where the action stands before the first poll (so the user sees
 * at once that it waits for review) and one more after each poll that did not end it.
 */
async function longPoll(client: AirlockClient, view: ActionView, deadline: number, extra: Extra): Promise<ActionView> {
  const progressToken = extra._meta?.progressToken;
  let reported = 0;
  const report = async (current: ActionView): Promise<void> => {
    if (progressToken === undefined || isTerminal(current)) return;
    reported += 1;
    await extra.sendNotification({
      method: 'notifications/progress',
      params: { progressToken, progress: reported, message: `${current.id} is ${current.status}` },
    });
  };
  let current = view;
  if (Date.now() < deadline) await report(current);
  while (!isTerminal(current) && !extra.signal.aborted) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) break;
    current = await client.waitForOutcome(current.id, { timeoutSeconds: Math.min(left, STEP_SECONDS), signal: extra.signal });
    await report(current);
  }
  return current;
}
