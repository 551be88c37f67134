import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ActionView, AirlockClient } from '../client';
import { describeAction, describeCatalogue } from './describe';
import { toolContent } from './gateway-result';
import { ownTool, type OwnTool } from './own-tool';
import { toolError } from './tool-error';
import { MAX_WAIT_SECONDS, waitForOutcome } from './wait';

const FINAL = 'succeeded, failed, denied, rejected, expired or cancelled';

export const PENDING_IS_NORMAL =
  'A result with status pending_review (or evaluating, approved, executing) is normal and expected, not an error: ' +
  'humans decide, which can take minutes or hours.';

const actionId = z.string().min(1).max(100).describe('The action id, e.g. action-s3.copyObject-… as request_action returned it');

const waitSeconds = z
  .number()
  .int()
  .min(0)
  .max(MAX_WAIT_SECONDS)
  .optional()
  .describe(`Wait up to this many seconds (0-${MAX_WAIT_SECONDS}) for a final status (${FINAL}); returns where the action stands when the time is up`);

// Loose on purpose: the view belongs to the API, and a field it adds must not fail the tool.
const actionOutput = z.looseObject({
  id: z.string(),
  status: z.string().describe(`evaluating, pending_review, approved, executing, or a final status: ${FINAL}`),
  action: z.string(),
});

const catalogueOutput = z.object({
  actions: z.array(
    z.looseObject({
      name: z.string(),
      title: z.string(),
      description: z.string(),
      idempotent: z.boolean(),
      review: z.enum(['required', 'not_required', 'denied', 'depends_on_params']),
      paramsSchema: z.record(z.string(), z.unknown()),
    }),
  ),
});

/**
 * The sentence first, for the model; then, for a gateway tool that ran, the tool's own answer; then
 * the whole view as JSON, for clients that pass on text only.
 */
function actionResult(view: ActionView, note?: string): CallToolResult {
  const toolResult = view.status === 'succeeded' ? view.result?.toolResult : undefined;
  const said = toolResult?.isError ? `${describeAction(view)} The tool reported an error:` : describeAction(view);
  return {
    content: [
      { type: 'text', text: note ? `${said} ${note}` : said },
      ...(toolResult ? toolContent(toolResult.content) : []),
      { type: 'text', text: JSON.stringify(view) },
    ],
    structuredContent: view as unknown as Record<string, unknown>,
  };
}

const listActions = (client: AirlockClient): OwnTool =>
  ownTool({
    name: 'list_actions',
    title: 'List Airlock actions',
    description:
      'List the privileged actions Airlock can run: name, title, description, whether humans review it ' +
      '(required, not_required, denied, or depends_on_params), and the params JSON Schema that request_action checks. Call this first.',
    output: catalogueOutput,
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run() {
      try {
        const actions = await client.listActions();
        const structured = { actions };
        return {
          content: [
            { type: 'text', text: describeCatalogue(actions) },
            { type: 'text', text: JSON.stringify(structured) },
          ],
          structuredContent: structured,
        };
      } catch (err) {
        return toolError(err);
      }
    },
  });

const requestAction = (client: AirlockClient): OwnTool =>
  ownTool({
    name: 'request_action',
    title: 'Request a privileged action',
    description:
      'Ask Airlock to run one privileged action (names and params schemas from list_actions). ' +
      'Airlock policy then denies it, runs it at once, or sends it to human reviewers. Returns the action id and status. ' +
      `${PENDING_IS_NORMAL} ` +
      `To wait for the outcome, pass wait_seconds (up to ${MAX_WAIT_SECONDS}) here, or call get_action with the id and wait_seconds, ` +
      `and call get_action again until the status is final (${FINAL}). ` +
      'Never request the same action again to hurry or retry a pending one. ' +
      'Pass an idempotency_key: a call repeated with the same key and the same request returns the same action ' +
      'instead of creating a second one, so retrying after a timeout or a lost answer is safe. ' +
      'Invalid params come back as an error naming each field, e.g. params.destinationBucket.',
    input: z.object({
      action: z.string().min(1).max(64).describe('Catalogue name from list_actions, e.g. s3.copyObject'),
      params: z.record(z.string(), z.unknown()).describe("The action's params, as its paramsSchema from list_actions describes"),
      justification: z.string().min(10).max(2000).describe('Why this is needed, for the human reviewers (at least 10 characters)'),
      context: z.record(z.string(), z.string()).optional().describe('Optional references for reviewers, e.g. {"ticket": "FIN-123"}'),
      wait_seconds: waitSeconds,
      idempotency_key: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
        .optional()
        .describe('Makes a retry safe: the same key with the same request returns the existing action'),
    }),
    output: actionOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    async run({ action, params, justification, context, wait_seconds, idempotency_key }, extra) {
      let view: ActionView;
      try {
        view = await client.request(
          { action, params, justification, ...(context ? { context } : {}) },
          idempotency_key ? { idempotencyKey: idempotency_key } : {},
        );
      } catch (err) {
        return toolError(err);
      }
      if (!wait_seconds) return actionResult(view);
      try {
        return actionResult(await waitForOutcome(client, view, wait_seconds, extra));
      } catch (err) {
        // The action exists: answer with its id, so the model polls instead of requesting again.
        return actionResult(view, `(Waiting was cut short: ${err instanceof Error ? err.message : String(err)}.)`);
      }
    },
  });

const getAction = (client: AirlockClient): OwnTool =>
  ownTool({
    name: 'get_action',
    title: 'Get an action',
    description:
      'Read one action by id: status, policy decision, reviewers and votes, and the result once it ran. ' +
      `With wait_seconds (up to ${MAX_WAIT_SECONDS}) it waits until the status is final (${FINAL}) or the time is up. ` +
      `${PENDING_IS_NORMAL} If it is still not final, call get_action again with wait_seconds.`,
    input: z.object({ id: actionId, wait_seconds: waitSeconds }),
    output: actionOutput,
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ id, wait_seconds }, extra) {
      try {
        const view = await client.get(id);
        return actionResult(wait_seconds ? await waitForOutcome(client, view, wait_seconds, extra) : view);
      } catch (err) {
        return toolError(err);
      }
    },
  });

const cancelAction = (client: AirlockClient): OwnTool =>
  ownTool({
    name: 'cancel_action',
    title: 'Cancel an action',
    description:
      'Cancel an action this agent requested, while it is still evaluating or pending review; once approved it can no longer be cancelled. ' +
      'Give a reason: reviewers and the audit trail see it.',
    input: z.object({
      id: actionId,
      reason: z.string().max(2000).optional().describe('Why it is no longer needed'),
    }),
    output: actionOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ id, reason }) {
      try {
        return actionResult(await client.cancel(id, reason ? { reason } : {}));
      } catch (err) {
        return toolError(err);
      }
    },
  });

/** Airlock's own four tools, calling the API through `client`. */
export function ownTools(client: AirlockClient): OwnTool[] {
  return [listActions(client), requestAction(client), getAction(client), cancelAction(client)];
}
