import type { FastifyBaseLogger, FastifyInstance, FastifySchema } from 'fastify';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { CHECKED_BY_THE_ROUTE, type ErrorResponses } from '../../inbound-schema';
import { SLACK_REASON_BLOCK } from '../action-ids';
import { REJECT_REASON_MAX_CHARS } from '../../reason-limit';
import { rejectReasonModal } from './reject-modal';
import { resolveChannelIdentity } from '../../../policy/identities';
import type { LoadedPolicy } from '../../../policy/load';
import type { DecideInput } from '../../../domain/types';
import type { ActionsPort } from '../../../domain/actions-port';
import type { ErrorBody } from '../../../domain/errors';
import { reviewerRefusal } from '../../refusal-texts';
import { consoleActionLink } from '../../review-message';
import { parseSlackInteraction, type SlackButtonClick, type SlackInteraction, type SlackMessageRef, type SlackReasonSubmission } from './payloads';
import { verifySlackSignature } from './signature';
import { SLACK_REFUSAL_TEXT, SLACK_TEXT } from './texts';

/** Slack interaction payloads are a few KiB; this leaves ample room and no more. */
export const SLACK_BODY_LIMIT = 256 * 1024;

/** Slack waits 3 s for the acknowledgement; answer before that whatever the workflow is doing. */
export const SLACK_ACK_TIMEOUT_MS = 2_500;

/** What Airlock posts to a payload's `response_url`: a note only the clicking user sees. */
export interface EphemeralMessage {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
}

/** The part of the Slack Web API the handler calls; a `WebClient` is one. */
export interface SlackInteractionApi {
  views: Pick<WebClient['views'], 'open'>;
  chat: Pick<WebClient['chat'], 'postEphemeral'>;
}

export interface SlackInteractionDeps {
  actions: Pick<ActionsPort, 'decide'>;
  /** The current policy, for mapping Slack user ids to identities. */
  policy: () => LoadedPolicy;
  signingSecret: string;
  /** Opens the reject-reason modal; without it, Reject answers that Slack is not configured. */
  slack?: SlackInteractionApi;
  /** Milliseconds since the epoch (default `Date.now`); the signature window is checked against it. */
  now?: () => number;
  /** Delivers an ephemeral reply; the default POSTs JSON with `fetch`. */
  postToResponseUrl?: (url: string, message: EphemeralMessage) => Promise<void>;
  /** How long to wait for the decision before acknowledging anyway (default 2,500 ms). */
  ackTimeoutMs?: number;
  /** Documents the route's error responses (the API's envelope); without it, only its 200 is documented. */
  errorResponses?: ErrorResponses;
  /** Where the console is: a refused click on a step-up rule links to the action's page there. */
  consoleUrl?: string;
}

/** What Slack receives as the acknowledgement of a modal submission: close it, or show the reviewer an error in it. */
const viewSubmissionAck = z.union([
  z.strictObject({ response_action: z.literal('clear') }),
  z.strictObject({ response_action: z.literal('errors'), errors: z.record(z.string(), z.string()) }),
]);
type ViewSubmissionAck = z.infer<typeof viewSubmissionAck>;

/** The route as the API's OpenAPI document describes it; the handler checks all of it itself, signature first. */
function interactionSchema(errorResponses: ErrorResponses | undefined): FastifySchema {
  return {
    operationId: 'slackInteractions',
    tags: ['slack'],
    summary: 'Slack button clicks and modal submissions',
    description:
      "Slack's interactivity request URL; registered only when a Slack signing secret is configured. " +
      'The signature is checked over the raw body before anything is parsed. Once it is valid, Slack always gets a `200`, within 3 s: ' +
      'a refused or failed decision is told to the reviewer in Slack. ' +
      `The body limit here is ${SLACK_BODY_LIMIT / 1024} KiB. Rate limited per client IP address. See docs/slack.md.\n\n` +
      "Access: no API key; the request must carry Slack's signature.",
    security: [],
    headers: z.looseObject({
      'x-slack-signature': z.string().describe('`v0=` and the hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret'),
      'x-slack-request-timestamp': z.string().regex(/^\d+$/).describe("Unix seconds; more than 5 minutes from the server's time is `401 stale_request`"),
    }),
    consumes: ['application/x-www-form-urlencoded'],
    body: z.strictObject({
      payload: z
        .string()
        .describe('JSON: a button click (`block_actions`) or the reject-reason modal (`view_submission`), as Slack sends them (docs/slack.md)'),
    }),
    response: {
      200: {
        description: 'Acknowledged: an empty body for a click, a view submission acknowledgement for a modal submission',
        content: { 'application/json': { schema: viewSubmissionAck } },
      },
      ...errorResponses?.({ 400: ['invalid_payload'], 401: ['invalid_signature', 'stale_request'] }),
    },
  };
}

/** `undefined`: the decision (or modal) went through; a string: the sentence to show the user instead. */
type Outcome = string | undefined;

/**
 * `POST /slack/interactions`: Slack button clicks and modal submissions, verified by signing secret on
 * the raw body before anything is parsed, mapped to an Airlock identity, and turned into `decide` Updates.
 * Registered in its own context: the form-body parser here does not leak to the JSON API.
 */
export async function slackInteractionRoutes(app: FastifyInstance, deps: SlackInteractionDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const postToResponseUrl = deps.postToResponseUrl ?? postJson;
  const ackTimeoutMs = deps.ackTimeoutMs ?? SLACK_ACK_TIMEOUT_MS;

  // A child context even when called directly: the parsers below must not reach the JSON API.
  await app.register(async (scope) => {
    // Only Slack's form encoding, kept as the exact bytes received: the signature covers the bytes,
    // and text decoded from them differs wherever they are not valid UTF-8.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: SLACK_BODY_LIMIT }, (_request, body, done) => {
      done(null, body);
    });

    scope.post('/slack/interactions', { ...CHECKED_BY_THE_ROUTE, schema: interactionSchema(deps.errorResponses) }, async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const check = verifySlackSignature({
        rawBody,
        timestamp: singleHeader(request.headers['x-slack-request-timestamp']),
        signature: singleHeader(request.headers['x-slack-signature']),
        signingSecret: deps.signingSecret,
        nowSeconds: Math.floor(now() / 1000),
      });
      if (!check.ok) {
        request.log.warn({ reason: check.reason }, 'refused Slack interaction');
        const body =
          check.reason === 'stale_timestamp'
            ? errorBody('stale_request', 'X-Slack-Request-Timestamp is more than 5 minutes from now')
            : errorBody('invalid_signature', 'missing or invalid Slack signature');
        return reply.status(401).send(body);
      }

      const parsed = parseSlackInteraction(rawBody.toString('utf8'));
      if (!parsed.ok) {
        request.log.warn({ problem: parsed.problem }, 'invalid Slack interaction payload');
        return reply.status(400).send(errorBody('invalid_payload', `invalid Slack interaction payload: ${parsed.problem}`));
      }

      const interaction = parsed.interaction;
      const log = request.log.child({ actionId: interaction.actionId, slackUserId: interaction.slackUserId, interaction: interaction.kind });
      // Past this point Slack always gets a 200: it shows an error icon for anything else, which helps nobody.
      try {
        const ack = await handle(interaction, log);
        return ack ? reply.status(200).send(ack) : reply.status(200).send();
      } catch (err) {
        log.error({ err }, 'Slack interaction failed');
        if (interaction.kind === 'reason') return reply.status(200).send(errorsAck(SLACK_TEXT.somethingWentWrong));
        tellUser(interaction.responseUrl, SLACK_TEXT.somethingWentWrong, log);
        return reply.status(200).send();
      }
    });
  });

  async function handle(interaction: SlackInteraction, log: FastifyBaseLogger): Promise<ViewSubmissionAck | undefined> {
    const reviewer = resolveChannelIdentity(deps.policy(), 'slack', interaction.slackUserId);
    if (!reviewer) {
      log.warn('Slack user is not linked to an Airlock identity; no decision sent');
      const text = SLACK_TEXT.notLinked(interaction.slackUserId);
      if (interaction.kind === 'reason') return errorsAck(text);
      tellUser(interaction.responseUrl, text, log);
      return undefined;
    }
    if (interaction.kind === 'reason') return submitReason(interaction, reviewer, log);
    if (interaction.verdict === 'approve') {
      const updateId = `slack:${interaction.slackUserId}:${interaction.actionTs}`;
      const decided = decide(interaction.actionId, { reviewer, verdict: 'approve', channel: 'slack' }, updateId, log);
      await answerClick(interaction, decided, log);
      return undefined;
    }
    await answerClick(interaction, openReasonModal(interaction, log), log);
    return undefined;
  }

  /** Shows a click's outcome to the user (only when there is something to say), before or after the ack. */
  async function answerClick(click: SlackButtonClick, outcome: Promise<Outcome>, log: FastifyBaseLogger): Promise<void> {
    const settled = await within(outcome, ackTimeoutMs);
    if (settled.done) {
      // Not awaited: the acknowledgement must not wait on a second round trip to Slack.
      if (settled.value !== undefined) tellUser(click.responseUrl, settled.value, log);
      return;
    }
    log.warn({ ackTimeoutMs }, 'acknowledged Slack before the outcome was known; finishing in the background');
    void outcome.then((text) => {
      if (text !== undefined) tellUser(click.responseUrl, text, log);
    });
  }

  async function submitReason(submission: SlackReasonSubmission, reviewer: string, log: FastifyBaseLogger): Promise<ViewSubmissionAck> {
    const reason = submission.reason.trim();
    if (!reason) return errorsAck(SLACK_TEXT.reasonRequired);
    if (reason.length > REJECT_REASON_MAX_CHARS) return errorsAck(SLACK_TEXT.reasonTooLong);
    const updateId = `slack:${submission.slackUserId}:${submission.viewId}`;
    const decided = decide(submission.actionId, { reviewer, verdict: 'reject', comment: reason, channel: 'slack' }, updateId, log);
    const settled = await within(decided, ackTimeoutMs);
    if (settled.done) return settled.value === undefined ? { response_action: 'clear' } : errorsAck(settled.value);
    // A modal submission has no response_url: a late refusal goes to the request's channel, to this user only.
    log.warn({ ackTimeoutMs }, 'closed the Slack modal before the outcome was known; finishing in the background');
    void decided.then((text) => {
      if (text !== undefined) tellUserInChannel(submission.message, submission.slackUserId, text, log);
    });
    return { response_action: 'clear' };
  }

  /** The `decide` Update, with every failure turned into the sentence to show. Never rejects. */
  async function decide(actionId: string, input: DecideInput, updateId: string, log: FastifyBaseLogger): Promise<Outcome> {
    try {
      await deps.actions.decide(actionId, input, updateId);
      log.info({ verdict: input.verdict, reviewer: input.reviewer, updateId }, 'Slack decision recorded');
      return undefined;
    } catch (err) {
      const refusal = reviewerRefusal(SLACK_REFUSAL_TEXT, err, consoleActionLink(deps.consoleUrl ? { consoleUrl: deps.consoleUrl } : {}, actionId));
      if (refusal) {
        log.info({ code: refusal.code, verdict: input.verdict, reviewer: input.reviewer }, 'Slack decision refused');
        return refusal.sentence;
      }
      log.error({ err, verdict: input.verdict, reviewer: input.reviewer }, 'Slack decision failed');
      return SLACK_TEXT.somethingWentWrong;
    }
  }

  /** Opens the reject-reason modal. Never rejects: a failure becomes the sentence to show. */
  async function openReasonModal(click: SlackButtonClick, log: FastifyBaseLogger): Promise<Outcome> {
    if (!deps.slack) {
      log.warn('Reject clicked but no Slack client is configured');
      return SLACK_TEXT.slackNotConfigured;
    }
    try {
      await deps.slack.views.open({ trigger_id: click.triggerId, view: rejectReasonModal(click.actionId, click.message) });
      return undefined;
    } catch (err) {
      log.error({ err }, 'could not open the Slack reject-reason modal');
      return SLACK_TEXT.modalFailed;
    }
  }

  /** Fire and forget: an ephemeral reply through `response_url`; a failure is logged, never thrown. */
  function tellUser(responseUrl: string, text: string, log: FastifyBaseLogger): void {
    Promise.resolve()
      .then(() => postToResponseUrl(responseUrl, { response_type: 'ephemeral', replace_original: false, text }))
      .catch((err: unknown) => log.warn({ err }, 'could not post to the Slack response_url'));
  }

  /** Fire and forget: an ephemeral message in the request's channel, when the channel and a client are known. */
  function tellUserInChannel(message: SlackMessageRef | undefined, slackUserId: string, text: string, log: FastifyBaseLogger): void {
    if (!deps.slack || !message) {
      log.warn({ text }, 'cannot tell the Slack user the late outcome: no client or no message reference');
      return;
    }
    const slack = deps.slack;
    Promise.resolve()
      .then(() => slack.chat.postEphemeral({ channel: message.channel, user: slackUserId, text }))
      .catch((err: unknown) => log.warn({ err }, 'could not post an ephemeral Slack message'));
  }
}

function errorsAck(text: string): ViewSubmissionAck {
  return { response_action: 'errors', errors: { [SLACK_REASON_BLOCK]: text } };
}

function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** A header Slack sends once; repeated, it is not Slack's and counts as missing. */
function singleHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Waits for `promise` at most `ms`; the timer never keeps the process alive. `promise` must not reject. */
async function within<T>(promise: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The default `postToResponseUrl`: Slack answers 200 `ok`; anything else is an error for the log. */
async function postJson(url: string, message: EphemeralMessage): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(5_000),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`response_url answered ${response.status}`);
}
