import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { z } from 'zod';
import { CHECKED_BY_THE_ROUTE, type ErrorResponses } from '../../inbound-schema';
import { consoleActionLink, reviewMessage, type MessageLinks } from '../../review-message';
import { REJECT_REASON_MAX_CHARS } from '../../reason-limit';
import { ADAPTIVE_CARD_CONTENT_TYPE, TEAMS_VERBS, teamsReviewCard, type AdaptiveCard } from '../card';
import { resolveChannelIdentity } from '../../../policy/identities';
import type { LoadedPolicy } from '../../../policy/load';
import type { DecideInput } from '../../../domain/types';
import type { ActionsPort } from '../../../domain/actions-port';
import type { ErrorBody } from '../../../domain/errors';
import { reviewerRefusal } from '../../refusal-texts';
import { parseActivity, parseCardAction, type CardAction } from './activity';
import { TEAMS_REFUSAL_TEXT, TEAMS_TEXT } from './texts';
import { bindsActivity, type BotTokenVerifier, type VerifiedBotToken } from './verify-token';

/** Teams activities are a few KiB; a card action's data is smaller still. */
export const TEAMS_BODY_LIMIT = 256 * 1024;

/** The `name` of the invoke Teams sends when a card's `Action.Execute` is clicked (or refreshes). */
export const CARD_ACTION_INVOKE = 'adaptiveCard/action';

/** The Universal Actions invoke response: the HTTP body of the 200 answering an `adaptiveCard/action`. */
export type CardInvokeResponse =
  | { statusCode: 200; type: typeof ADAPTIVE_CARD_CONTENT_TYPE; value: AdaptiveCard }
  | { statusCode: 200; type: 'application/vnd.microsoft.activity.message'; value: string }
  | { statusCode: 400 | 500; type: 'application/vnd.microsoft.error'; value: { code: string; message: string } };

export interface TeamsMessagesDeps {
  actions: Pick<ActionsPort, 'decide' | 'get'>;
  /** The current policy, for mapping AAD object ids to identities. */
  policy: () => LoadedPolicy;
  verifier: Pick<BotTokenVerifier, 'authenticate'>;
  /** For the Temporal UI link on the cards it returns. */
  links: MessageLinks;
  /** Documents the route's error responses (the API's envelope); without it, only its answers are documented. */
  errorResponses?: ErrorResponses;
}

/** The route as the API's OpenAPI document describes it; the token is checked before the body is read, the activity by the handler. */
function messagesSchema(errorResponses: ErrorResponses | undefined): FastifySchema {
  return {
    operationId: 'teamsMessages',
    tags: ['teams'],
    summary: 'The Teams bot endpoint: card clicks (Bot Framework activities)',
    description:
      "The bot's messaging endpoint; registered only when a Teams app id is configured. " +
      "The Bot Framework token is checked before the body is read (signature, issuer, audience, expiry), then bound to the activity's `serviceUrl`. " +
      'An `adaptiveCard/action` invoke answers `200` with a Universal Actions invoke response (the refreshed card, or a message); ' +
      'other invokes `501`; other activities an empty `200`. ' +
      `The body limit here is ${TEAMS_BODY_LIMIT / 1024} KiB. Rate limited per client IP address. See docs/teams.md.\n\n` +
      'Access: no API key; a Bot Framework token for this bot.',
    security: [{ botFrameworkToken: [] }],
    body: z.looseObject({ type: z.string() }).describe('A Bot Framework activity'),
    response: {
      200: {
        description: 'For an `adaptiveCard/action` invoke: `{ statusCode, type, value }` (an Adaptive Card, a message, or an error); otherwise empty',
        content: {
          'application/json': { schema: z.strictObject({ statusCode: z.number().int(), type: z.string(), value: z.unknown() }) },
        },
      },
      501: z.undefined().describe('An invoke Airlock does not handle'),
      ...errorResponses?.({ 401: ['unauthenticated'] }),
    },
  };
}

/**
 * `POST /teams/messages`: the bot's endpoint. The bearer token is verified as a Bot Framework token
 * before the body is read, and bound to the activity's `serviceUrl` and channel once it is; anything
 * short of that is 401 and reaches nothing. Card clicks (`adaptiveCard/action` invokes) become `decide`
 * Updates, answered with the refreshed card; other activities are acknowledged and ignored.
 */
export async function teamsMessageRoutes(app: FastifyInstance, deps: TeamsMessagesDeps): Promise<void> {
  const tokens = new WeakMap<FastifyRequest, VerifiedBotToken>();

  // A child context even when called directly: the hook below must guard this route only.
  await app.register(async (scope) => {
    // `preParsing`, not `onRequest`: still before the body is read, but after every `onRequest`
    // hook, the rate limiter's among them (api/rate-limit.ts). A flood of bad tokens is then cut
    // off per address before each one costs an RSA verification or a fetch of Bot Framework's keys.
    scope.addHook('preParsing', async (request, reply) => {
      const check = await deps.verifier.authenticate(singleHeader(request.headers.authorization));
      if (!check.ok) return refuse(request, reply, check.reason, check.detail);
      tokens.set(request, check.token);
    });

    scope.post(
      '/teams/messages',
      { ...CHECKED_BY_THE_ROUTE, bodyLimit: TEAMS_BODY_LIMIT, schema: messagesSchema(deps.errorResponses) },
      async (request, reply) => {
        const activity = parseActivity(request.body);
        const token = tokens.get(request);
        // A body that is not an activity has no serviceUrl to bind the token to: the same refusal.
        if (!activity || !token) return refuse(request, reply, 'service_url_mismatch', 'the body is not an activity');
        const bound = bindsActivity(token, { serviceUrl: activity.serviceUrl, channelId: activity.channelId });
        if (!bound.ok) return refuse(request, reply, bound.reason, bound.detail);

        if (activity.type !== 'invoke') return reply.status(200).send();
        // Bot Framework answers an invoke it does not handle with 501.
        if (activity.name !== CARD_ACTION_INVOKE) return reply.status(501).send();
        const parsed = parseCardAction(activity);
        if (!parsed.ok) {
          request.log.warn({ problem: parsed.problem }, 'invalid Teams card action');
          return reply.status(200).send(errorResponse(400, 'BadRequest', `not an Airlock card action: ${parsed.problem}`));
        }
        const action = parsed.action;
        const log = request.log.child({ actionId: action.actionId, aadObjectId: action.aadObjectId, verb: action.verb });
        try {
          return reply.status(200).send(await handle(action, log));
        } catch (err) {
          log.error({ err }, 'Teams card action failed');
          return reply.status(200).send(messageResponse(TEAMS_TEXT.somethingWentWrong));
        }
      },
    );
  });

  async function handle(action: CardAction, log: FastifyBaseLogger): Promise<CardInvokeResponse> {
    if (action.verb === TEAMS_VERBS.refresh) return currentCard(action.actionId, undefined, log);
    const reviewer = action.aadObjectId ? resolveChannelIdentity(deps.policy(), 'teams', action.aadObjectId) : undefined;
    if (!reviewer) {
      log.warn('Teams user is not linked to an Airlock identity; no decision sent');
      return currentCard(action.actionId, TEAMS_TEXT.notLinked(action.aadObjectId), log);
    }
    const reason = action.reason.trim();
    if (reason.length > REJECT_REASON_MAX_CHARS) return currentCard(action.actionId, TEAMS_TEXT.reasonTooLong, log);
    if (action.verb === TEAMS_VERBS.reject && !reason) return currentCard(action.actionId, TEAMS_TEXT.reasonRequired, log);

    const verdict = action.verb === TEAMS_VERBS.approve ? 'approve' : 'reject';
    const input: DecideInput = { reviewer, verdict, channel: 'teams', ...(reason ? { comment: reason } : {}) };
    // The invoke's id: Bot Framework redelivers a timed-out invoke with the same id, and Temporal
    // then answers with the first delivery's outcome instead of counting a second vote.
    const updateId = `teams:${action.aadObjectId ?? ''}:${action.activityId}`;
    try {
      const state = await deps.actions.decide(action.actionId, input, updateId);
      log.info({ verdict, reviewer, updateId }, 'Teams decision recorded');
      return cardResponse(teamsReviewCard(reviewMessage(state, deps.links), { notice: verdict === 'approve' ? TEAMS_TEXT.approved : TEAMS_TEXT.rejected }));
    } catch (err) {
      const refusal = reviewerRefusal(TEAMS_REFUSAL_TEXT, err, consoleActionLink(deps.links, action.actionId));
      if (!refusal) throw err;
      log.info({ code: refusal.code, verdict, reviewer }, 'Teams decision refused');
      return currentCard(action.actionId, refusal.sentence, log);
    }
  }

  /** The action's card as it stands, with `notice` on top; a plain message when it cannot be read. */
  async function currentCard(actionId: string, notice: string | undefined, log: FastifyBaseLogger): Promise<CardInvokeResponse> {
    try {
      const { state } = await deps.actions.get(actionId);
      return cardResponse(teamsReviewCard(reviewMessage(state, deps.links), notice ? { notice } : {}));
    } catch (err) {
      const known = reviewerRefusal(TEAMS_REFUSAL_TEXT, err)?.sentence;
      if (known === undefined) log.warn({ err }, 'could not read the action for its Teams card');
      return messageResponse(notice ? `${notice} ${known ?? ''}`.trim() : (known ?? TEAMS_TEXT.somethingWentWrong));
    }
  }
}

/** 401 `unauthenticated`: the reason goes to the log only, so a caller cannot probe which check failed. */
function refuse(request: FastifyRequest, reply: FastifyReply, reason: string, detail?: string): FastifyReply {
  request.log.warn({ reason, ...(detail ? { detail } : {}) }, 'refused Teams activity');
  const body: ErrorBody = { error: { code: 'unauthenticated', message: 'missing or invalid Bot Framework token' } };
  return reply.status(401).send(body);
}

function cardResponse(card: AdaptiveCard): CardInvokeResponse {
  return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
}

function messageResponse(text: string): CardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text };
}

function errorResponse(statusCode: 400 | 500, code: string, message: string): CardInvokeResponse {
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } };
}

/** A header sent once; repeated, it counts as missing. */
function singleHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
