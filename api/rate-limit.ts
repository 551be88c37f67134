import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from './authenticator';
import { ApiError } from './errors';

/** Requests allowed per minute, per API instance (each instance counts in its own memory). */
export interface RateLimits {
  /** `/v1/*`, per authenticated principal (API key or token); requests without a valid one, per client IP. */
  apiPerMinute: number;
  /** `/slack/interactions`, per client IP: Slack's own traffic is a few clicks a minute. */
  slackPerMinute: number;
  /**
   * `/teams/messages`, per client IP, counted before the Bot Framework token is verified: each
   * verification is an RSA check and may fetch Bot Framework's keys, so a flood of bad tokens must
   * be cut off first.
   */
  teamsPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { apiPerMinute: 600, slackPerMinute: 600, teamsPerMinute: 600 };

const SLACK_KEY_PREFIX = 'slack-ip:';
const TEAMS_KEY_PREFIX = 'teams-ip:';

/**
 * Rate limits, so that one agent (one API key or token identity) cannot starve the others, and a
 * flood of unsigned Slack posts, bad Teams tokens or bad credentials is cut off per address. The
 * limiter runs on `onRequest`, before the body is read, after a hook that identifies the principal
 * (without refusing anyone: the routes still authenticate, with the same verdict). A token is
 * verified in that hook: a signature check, and at most one key fetch per issuer every 30 s, so a
 * flood of bad tokens costs little before its address is limited. Costly checks of a route (the
 * Teams token) run at `preParsing`, after every `onRequest` hook, so the limiter always comes first. A limited
 * request gets 429 `rate_limited` with `Retry-After` and reaches nothing behind the API. Routes
 * with `config: { rateLimit: false }` (health) are not limited.
 */
export async function installRateLimits(app: FastifyInstance, auth: Authenticator, limits: RateLimits): Promise<void> {
  app.addHook('onRequest', async (request) => {
    request.principal = await auth.identify(request);
  });
  // Registered on `app` itself (the plugin is not encapsulated): its per-route hook then runs after
  // the hook above, which Fastify runs first as an instance-level hook.
  await app.register(rateLimit, {
    timeWindow: 60_000,
    keyGenerator: limiterKey,
    max: (_request, key) => limitFor(key, limits),
    errorResponseBuilder: (_request, context) => new ApiError(429, 'rate_limited', `more than ${context.max} requests a minute; retry in ${context.after}`),
    onExceeded: (request) => {
      // The principal's id, never its key; the address when there is no principal.
      request.log.warn({ principal: request.principal?.id, ip: request.ip, route: request.routeOptions.url }, 'rate limited');
    },
  });
}

function limiterKey(request: FastifyRequest): string {
  const ip = normalizeIP(request.ip);
  if (request.routeOptions.url?.startsWith('/slack/')) return `${SLACK_KEY_PREFIX}${ip}`;
  if (request.routeOptions.url?.startsWith('/teams/')) return `${TEAMS_KEY_PREFIX}${ip}`;
  return request.principal ? `principal:${request.principal.id}` : `ip:${ip}`;
}

function limitFor(key: string, limits: RateLimits): number {
  if (key.startsWith(SLACK_KEY_PREFIX)) return limits.slackPerMinute;
  if (key.startsWith(TEAMS_KEY_PREFIX)) return limits.teamsPerMinute;
  return limits.apiPerMinute;
}
