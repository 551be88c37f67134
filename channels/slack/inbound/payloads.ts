import { z } from 'zod';
import { SLACK_APPROVE_ACTION, SLACK_REASON_BLOCK, SLACK_REASON_INPUT, SLACK_REJECT_ACTION, SLACK_REJECT_MODAL } from '../action-ids';
import { ACTION_ID_PATTERN } from '../../../domain/action-id';

// Slack adds fields over time: every object is loose, and only what Airlock reads is checked.

const slackUser = z.looseObject({ id: z.string().min(1) });

/** A click on a button of a message Airlock posted. */
export const blockActionsPayload = z.looseObject({
  type: z.literal('block_actions'),
  user: slackUser,
  team: z.looseObject({ id: z.string() }).nullish(),
  trigger_id: z.string().min(1),
  response_url: z.url({ protocol: /^https?$/ }),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string().min(1),
        value: z.string().optional(),
        action_ts: z.string().min(1),
      }),
    )
    .min(1),
  container: z.looseObject({ message_ts: z.string().optional(), channel_id: z.string().optional() }).optional(),
  channel: z.looseObject({ id: z.string() }).nullish(),
  message: z.looseObject({ ts: z.string() }).optional(),
});
export type BlockActionsPayload = z.infer<typeof blockActionsPayload>;

/** The submission of a modal; Airlock only opens the reject-reason modal. */
export const viewSubmissionPayload = z.looseObject({
  type: z.literal('view_submission'),
  user: slackUser,
  team: z.looseObject({ id: z.string() }).nullish(),
  view: z.looseObject({
    id: z.string().min(1),
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.looseObject({
      values: z.record(z.string(), z.record(z.string(), z.looseObject({ value: z.string().nullish() }))),
    }),
  }),
});
export type ViewSubmissionPayload = z.infer<typeof viewSubmissionPayload>;

export const slackInteractionPayload = z.discriminatedUnion('type', [blockActionsPayload, viewSubmissionPayload]);

/** Where the review message is, so a modal or a late reply can refer back to it. */
export interface SlackMessageRef {
  channel: string;
  ts: string;
}

/** A click on Approve or Reject. `actionId` is the Airlock action id (the button's value). */
export interface SlackButtonClick {
  kind: 'button';
  verdict: 'approve' | 'reject';
  actionId: string;
  slackUserId: string;
  /** When Slack saw the click; with the user id it identifies the click for deduplication. */
  actionTs: string;
  triggerId: string;
  responseUrl: string;
  message?: SlackMessageRef;
}

/** A submitted reject-reason modal. `reason` is as typed, possibly empty. */
export interface SlackReasonSubmission {
  kind: 'reason';
  actionId: string;
  slackUserId: string;
  reason: string;
  viewId: string;
  message?: SlackMessageRef;
}

export type SlackInteraction = SlackButtonClick | SlackReasonSubmission;

export type SlackPayloadResult = { ok: true; interaction: SlackInteraction } | { ok: false; problem: string };

/**
 * Reads Slack's form-encoded interaction body: the `payload` field, parsed as JSON, validated, and
 * reduced to the interactions Airlock handles. Anything else is a `problem` (for a 400 and the log).
 */
export function parseSlackInteraction(rawBody: string): SlackPayloadResult {
  const payloadText = new URLSearchParams(rawBody).get('payload');
  if (payloadText === null) return { ok: false, problem: 'no payload field' };
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch {
    return { ok: false, problem: 'payload is not JSON' };
  }
  const parsed = slackInteractionPayload.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'payload'}: ${issue.message}`);
    return { ok: false, problem: issues.join('; ') };
  }
  return parsed.data.type === 'block_actions' ? fromBlockActions(parsed.data) : fromViewSubmission(parsed.data);
}

function fromBlockActions(payload: BlockActionsPayload): SlackPayloadResult {
  const action = payload.actions[0];
  if (!action) return { ok: false, problem: 'actions: empty' }; // unreachable after .min(1); keeps the types honest
  const verdict = action.action_id === SLACK_APPROVE_ACTION ? 'approve' : action.action_id === SLACK_REJECT_ACTION ? 'reject' : undefined;
  if (!verdict) return { ok: false, problem: `actions.0.action_id: unknown action ${action.action_id}` };
  if (!action.value || !ACTION_ID_PATTERN.test(action.value)) return { ok: false, problem: 'actions.0.value: not an action id' };
  const channel = payload.container?.channel_id ?? payload.channel?.id;
  const ts = payload.container?.message_ts ?? payload.message?.ts;
  return {
    ok: true,
    interaction: {
      kind: 'button',
      verdict,
      actionId: action.value,
      slackUserId: payload.user.id,
      actionTs: action.action_ts,
      triggerId: payload.trigger_id,
      responseUrl: payload.response_url,
      ...(channel && ts ? { message: { channel, ts } } : {}),
    },
  };
}

function fromViewSubmission(payload: ViewSubmissionPayload): SlackPayloadResult {
  const { view } = payload;
  if (view.callback_id !== SLACK_REJECT_MODAL) return { ok: false, problem: `view.callback_id: unknown view ${view.callback_id}` };
  const metadata = readPrivateMetadata(view.private_metadata);
  if (!metadata) return { ok: false, problem: 'view.private_metadata: no action id' };
  const input = view.state.values[SLACK_REASON_BLOCK]?.[SLACK_REASON_INPUT];
  if (!input) return { ok: false, problem: `view.state.values: no ${SLACK_REASON_BLOCK}.${SLACK_REASON_INPUT}` };
  return {
    ok: true,
    interaction: {
      kind: 'reason',
      actionId: metadata.actionId,
      slackUserId: payload.user.id,
      reason: input.value ?? '',
      viewId: view.id,
      ...(metadata.message ? { message: metadata.message } : {}),
    },
  };
}

const metadataObject = z.looseObject({
  actionId: z.string().regex(ACTION_ID_PATTERN),
  channel: z.string().min(1).optional(),
  ts: z.string().min(1).optional(),
  messageRef: z.looseObject({ channel: z.string().min(1), ts: z.string().min(1) }).optional(),
});

/**
 * The modal's private_metadata, as the reject modal writes it: JSON with the action id and the
 * message (`{ actionId, channel, ts }` or `{ actionId, messageRef }`), or just the action id.
 */
function readPrivateMetadata(text: string): { actionId: string; message?: SlackMessageRef } | undefined {
  if (ACTION_ID_PATTERN.test(text)) return { actionId: text };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = metadataObject.safeParse(json);
  if (!parsed.success) return undefined;
  const { actionId, channel, ts, messageRef } = parsed.data;
  const message = messageRef ?? (channel && ts ? { channel, ts } : undefined);
  return { actionId, ...(message ? { message: { channel: message.channel, ts: message.ts } } : {}) };
}
