import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoadedPolicy } from '../../policy';
import { ApiError } from '../errors';
import { consoleAuthRoutes } from './auth-routes';
import { consoleCookies, safeReturnPath, type ConsoleCookies } from './cookies';
import { ConsoleOidcClient, type ConsoleOidcSettings } from './oidc';
import { SessionSealer, type ConsoleSession } from './session';
import type { ClaimSettings, RolesOf } from './sign-in-identity';

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session of the request's cookie, once `ConsoleContext.requireSession` has run. */
    consoleSession?: ConsoleSession | undefined;
  }
}

export interface ConsoleSettings {
  /** The console's public origin as browsers reach it (`https://airlock.example.com`); pages are under `/console`. */
  baseUrl: string;
  oidc: Omit<ConsoleOidcSettings, 'redirectUri'>;
  claims: ClaimSettings;
  /** Shared by every API replica, or sessions end when the process does. */
  sessionSecret?: string | undefined;
  sessionTtlMs: number;
  policy: () => LoadedPolicy;
  rolesOf: RolesOf;
}

/** What the console's page routes are given: the session guard, CSRF check and cookie handling. */
export interface ConsoleContext {
  settings: ConsoleSettings;
  cookies: ConsoleCookies;
  sessions: SessionSealer;
  oidc: ConsoleOidcClient;
  /**
   * preHandler: the request's session, or (for a page) a redirect to sign in and come back, (for
   * anything else) `401 unauthenticated`.
   */
  requireSession(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void>;
  /** preHandler after `requireSession`, on every state change: the form's or header's CSRF token must be this session's. */
  requireCsrf(request: FastifyRequest, reply: FastifyReply, done: () => void): void;
  /** A CSRF token for this session's forms. */
  csrfToken(request: FastifyRequest, reply: FastifyReply): string;
  /** The session of the request (after `requireSession`; a route without it is a bug). */
  session(request: FastifyRequest): ConsoleSession;
}

/** Page routes of the console, registered inside its scope (its cookies, CSP and form parser apply to them). */
export type ConsolePages = (app: FastifyInstance, context: ConsoleContext) => Promise<void>;

/**
 * The web console, an encapsulated Fastify scope under `/console`: sign-in with the configured OpenID
 * provider, sealed session cookies, CSRF tokens on every form, a strict Content-Security-Policy
 * (no inline script or style, nothing from other origins), and the pages `pages` registers.
 */
export async function consolePlugin(app: FastifyInstance, options: { settings: ConsoleSettings; pages: ConsolePages }): Promise<void> {
  const { settings } = options;
  const base = new URL(settings.baseUrl);
  const secure = base.protocol === 'https:';
  const cookies = consoleCookies(secure, settings.sessionTtlMs);
  const sessions = new SessionSealer(settings.sessionSecret);
  const oidc = new ConsoleOidcClient({ ...settings.oidc, redirectUri: new URL('/console/callback', base).toString() });

  await app.register(fastifyCookie, { secret: sessions.derivedKey('cookie-signature') });
  await app.register(fastifyFormbody, { bodyLimit: 16 * 1024 });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    // Over plain http (loopback development) HSTS would be ignored anyway; over https it pins the console to https.
    strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: cookies.csrf.name,
    cookieOpts: cookies.csrf.options,
    // Tokens are bound to the sign-in: one from another session (or planted by a sibling host) is refused.
    getUserInfo: (request: FastifyRequest) => request.consoleSession?.sid ?? '',
    csrfOpts: { hmacKey: sessions.derivedKey('csrf') },
  });
  app.decorateRequest('consoleSession', undefined);
  // Console pages change with every vote: never from a cache, never kept by a shared one.
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  const csrfTokens = new WeakMap<FastifyRequest, string>();
  const context: ConsoleContext = {
    settings,
    cookies,
    sessions,
    oidc,
    async requireSession(request, reply) {
      const session = await sessions.openSession(request.cookies[cookies.session.name]);
      if (session) {
        request.consoleSession = session;
        request.log = request.log.child({ consoleIdentity: session.identity });
        return;
      }
      if (request.method === 'GET' && request.headers.accept?.includes('text/html')) {
        const returnTo = safeReturnPath(request.url);
        // Returning the reply ends the request here: the route's handler does not run.
        return reply.redirect(`/console/login?returnTo=${encodeURIComponent(returnTo)}`, 303);
      }
      throw new ApiError(401, 'unauthenticated', 'sign in to the console first');
    },
    requireCsrf(request, reply, done) {
      // The plugin answers a missing or wrong token with its own errors, mapped to 403 csrf_token_invalid (api/errors.ts).
      app.csrfProtection(request, reply, done);
    },
    csrfToken(request, reply) {
      // One per request: without a CSRF cookie yet, each generateCsrf() would set a new secret, and only the last token would hold.
      let token = csrfTokens.get(request);
      if (token === undefined) {
        token = reply.generateCsrf({ userInfo: context.session(request).sid });
        csrfTokens.set(request, token);
      }
      return token;
    },
    session(request) {
      if (!request.consoleSession) throw new Error(`${request.url} reads the console session without requireSession`);
      return request.consoleSession;
    },
  };

  await consoleAuthRoutes(app, context);
  await options.pages(app, context);
}
