import { ApplicationFailure } from '@temporalio/common';
import { TeamsFailureType } from '../../../domain/failure-types';
import { teamsHttpFailure, teamsNetworkFailure } from './teams-errors';

/** How Airlock reaches Teams: the bot's Azure registration and the Bot Connector service. */
export interface TeamsSettings {
  /** The bot's Microsoft App ID (client id). */
  appId: string;
  /** Its client secret. */
  appPassword: string;
  /** Bot Connector base URL, e.g. `https://smba.trafficmanager.net/teams/`; tests point it at a local double. */
  serviceUrl: string;
  /** OAuth2 token endpoint; unset for the multi-tenant Bot Framework one. */
  tokenUrl?: string;
}

export const DEFAULT_TEAMS_TOKEN_URL = 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token';
const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com/.default';

/** Per HTTP call; shorter than the activities' start-to-close timeout, so an attempt fails cleanly. */
const REQUEST_TIMEOUT_MS = 10_000;
/** A token is renewed this long before it expires, so a call never goes out with one about to lapse. */
const TOKEN_RENEW_MARGIN_MS = 5 * 60_000;

/** A Bot Framework activity as sent (only the fields Airlock uses). */
export interface TeamsOutgoingActivity {
  type: 'message';
  id?: string;
  text?: string;
  textFormat?: 'plain' | 'markdown' | 'xml';
  summary?: string;
  attachments?: { contentType: string; content: unknown }[];
  entities?: Record<string, unknown>[];
}

export interface TeamsConnector {
  /** Posts an activity to a conversation; returns the id Teams assigned. */
  postActivity(conversationId: string, activity: TeamsOutgoingActivity): Promise<string>;
  /** Posts an activity as a reply to one (a thread reply in a channel); returns its id. */
  replyToActivity(conversationId: string, activityId: string, activity: TeamsOutgoingActivity): Promise<string>;
  /** Replaces a posted activity in place. */
  updateActivity(conversationId: string, activityId: string, activity: TeamsOutgoingActivity): Promise<void>;
}

/**
 * A small Bot Connector REST client over fetch. One HTTP call per method (plus a token fetch when
 * the cached one is near expiry); no retries: every failure is an ApplicationFailure that tells
 * Temporal whether and when to retry.
 */
export function teamsConnector(settings: TeamsSettings, fetchImpl: typeof fetch = fetch, clock: () => number = Date.now): TeamsConnector {
  const base = settings.serviceUrl.replace(/\/+$/, '');
  let cached: { token: string; renewAt: number } | undefined;
  const secrets = (): (string | undefined)[] => [settings.appPassword, cached?.token];

  /** `tokenRequest`: a 400/401 there means a wrong app id or secret, which no retry fixes. */
  async function call(what: string, url: string, init: RequestInit, tokenRequest = false): Promise<Response> {
    let response: Response;
    try {
      response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw teamsNetworkFailure(what, err, secrets());
    }
    if (response.ok) return response;
    const body = await response.text().catch(() => '');
    if (response.status === 401) cached = undefined;
    throw teamsHttpFailure(what, response.status, response.headers.get('retry-after'), body, secrets(), { now: clock(), retry401: !tokenRequest });
  }

  async function token(): Promise<string> {
    if (cached && clock() < cached.renewAt) return cached.token;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: settings.appId,
      client_secret: settings.appPassword,
      scope: BOT_FRAMEWORK_SCOPE,
    });
    const response = await call(
      'token request',
      settings.tokenUrl ?? DEFAULT_TEAMS_TOKEN_URL,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() },
      true,
    );
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw ApplicationFailure.create({ type: TeamsFailureType.Unavailable, message: 'token request answered without an access_token' });
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in) || 3600) * 1000;
    // Short-lived tokens (tests, odd tenants) are renewed at half their life rather than never cached.
    cached = { token: body.access_token, renewAt: clock() + Math.max(lifetimeMs - TOKEN_RENEW_MARGIN_MS, lifetimeMs / 2) };
    return cached.token;
  }

  async function send(what: string, method: 'POST' | 'PUT', path: string, activity: TeamsOutgoingActivity): Promise<Response> {
    const bearer = await token();
    return call(what, `${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
  }

  async function idOf(what: string, response: Response): Promise<string> {
    const body = (await response.json().catch(() => ({}))) as { id?: unknown };
    if (typeof body.id !== 'string' || !body.id) {
      // The message may well be posted: a retry could post it twice, so this is not retried.
      throw ApplicationFailure.create({ type: TeamsFailureType.Permanent, message: `${what} answered without an activity id`, nonRetryable: true });
    }
    return body.id;
  }

  const activities = (conversationId: string): string => `/v3/conversations/${encodeURIComponent(conversationId)}/activities`;

  return {
    async postActivity(conversationId, activity) {
      return idOf('POST activities', await send('POST activities', 'POST', activities(conversationId), activity));
    },
    async replyToActivity(conversationId, activityId, activity) {
      const path = `${activities(conversationId)}/${encodeURIComponent(activityId)}`;
      return idOf('POST reply', await send('POST reply', 'POST', path, activity));
    },
    async updateActivity(conversationId, activityId, activity) {
      const path = `${activities(conversationId)}/${encodeURIComponent(activityId)}`;
      await send('PUT activity', 'PUT', path, { ...activity, id: activityId });
    },
  };
}
