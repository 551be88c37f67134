import type { FastifyInstance } from 'fastify';
import type { ActionsPort } from '../domain/actions-port';
import type { LoadedPolicy } from '../policy';
import type { ErrorResponses } from './inbound-schema';
import type { MessagingKind } from './kinds';
import type { MessageLinks } from './review-message';
import { slackInteractionRoutes, type SlackInteractionApi } from './slack/inbound/interactions';
import { teamsMessageRoutes } from './teams/inbound/messages';
import { BotTokenVerifier } from './teams/inbound/verify-token';

/** Slack interactivity: served when a signing secret is configured. */
export interface SlackInboundSettings {
  signingSecret: string;
  /** Opens the reject-reason dialog; without it, Reject answers that Slack is not fully configured. */
  client?: SlackInteractionApi;
}

/** The Teams bot endpoint: served with the bot's app id. `jwksUrl` is for tests only (docs/teams.md). */
export interface TeamsInboundSettings {
  appId: string;
  jwksUrl?: URL;
}

/** What the API gives the channels' inbound side; a channel without its settings serves no route. */
export interface InboundDeps {
  /** Decisions go through the same service as the API's own, so they are signed and refused alike. */
  actions: Pick<ActionsPort, 'decide' | 'get'>;
  /** Maps channel user ids (Slack user ids, Azure AD object ids) to identities. */
  policy: () => LoadedPolicy;
  /** For the Temporal UI link on cards the API returns. */
  links: MessageLinks;
  slack?: SlackInboundSettings;
  teams?: TeamsInboundSettings;
  /** How each route documents its error responses: the API's error envelope. */
  errorResponses: ErrorResponses;
}

/** Registers one channel's routes, in their own Fastify context, when its settings are present. */
type RegisterInbound = (app: FastifyInstance, deps: InboundDeps) => Promise<void>;

/**
 * A channel that takes nothing back: nobody decides by replying to an email or by following a link
 * in it. Its messages send reviewers to the console, where they sign in and decide.
 */
const NO_INBOUND = 'none';

/**
 * Each messaging channel's inbound route (clicks come back there), or `none`; the compiler checks
 * the kinds against channels/kinds.ts, so a new kind must say which it is.
 */
export const INBOUND_CHANNELS = {
  slack: async (app, deps) => {
    if (!deps.slack) return;
    await app.register(slackInteractionRoutes, {
      actions: deps.actions,
      policy: deps.policy,
      signingSecret: deps.slack.signingSecret,
      ...(deps.slack.client ? { slack: deps.slack.client } : {}),
      ...(deps.links.consoleUrl ? { consoleUrl: deps.links.consoleUrl } : {}),
      errorResponses: deps.errorResponses,
    });
  },
  teams: async (app, deps) => {
    if (!deps.teams) return;
    await app.register(teamsMessageRoutes, {
      actions: deps.actions,
      policy: deps.policy,
      verifier: new BotTokenVerifier({ appId: deps.teams.appId, ...(deps.teams.jwksUrl ? { jwksUrl: deps.teams.jwksUrl } : {}) }),
      links: deps.links,
      errorResponses: deps.errorResponses,
    });
  },
  email: NO_INBOUND,
} satisfies Record<MessagingKind, RegisterInbound | typeof NO_INBOUND>;

/** Registers the inbound route of every channel that is configured. */
export async function registerInboundChannels(app: FastifyInstance, deps: InboundDeps): Promise<void> {
  for (const register of Object.values(INBOUND_CHANNELS)) {
    if (register !== NO_INBOUND) await register(app, deps);
  }
}
