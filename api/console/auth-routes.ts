import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { safeReturnPath } from './cookies';
import type { ConsoleContext } from './plugin';
import { personFromClaims } from './sign-in-identity';
import type { ConsoleSession } from './session';
import { plainPage } from './plain-page';

/** A step-up asks for a sign-in at most this old; shorter than a minute is not a sign-in a person can make. */
const STEP_UP_MAX_AGE_SECONDS = { min: 60, max: 24 * 3600 };

/**
 * Sign-in, its callback and sign-out. `GET /console/login` starts the authorization code flow
 * (PKCE, state, nonce; with `maxAge` a step-up: the provider must authenticate the person again);
 * the callback checks it all through openid-client, maps the id token to an identity and roles, and
 * seals the session into a cookie; `POST /console/logout` (CSRF-checked) drops it.
 */
export async function consoleAuthRoutes(app: FastifyInstance, context: ConsoleContext): Promise<void> {
  const { cookies, sessions, oidc, settings } = context;

  app.get('/console/login', async (request: FastifyRequest<{ Querystring: { returnTo?: string; maxAge?: string } }>, reply) => {
    const returnTo = safeReturnPath(request.query.returnTo);
    const maxAge = stepUpMaxAge(request.query.maxAge);
    let begun;
    try {
      begun = await oidc.begin(returnTo, maxAge);
    } catch (err) {
      request.log.error({ err, issuer: settings.oidc.issuer }, 'console sign-in: the identity provider cannot be reached');
      return failure(reply, 503, 'The identity provider cannot be reached. Try again in a moment.');
    }
    reply.setCookie(cookies.login.name, await sessions.sealLogin(begun.transaction), cookies.login.options);
    return reply.redirect(begun.url.toString(), 303);
  });

  app.get('/console/callback', async (request, reply) => {
    const transaction = await sessions.openLogin(request.cookies[cookies.login.name]);
    reply.clearCookie(cookies.login.name, cookies.login.options);
    if (!transaction) {
      request.log.warn('console sign-in refused: no sign-in in progress (expired, or begun in another browser)');
      return failure(reply, 400, 'This sign-in has expired or was started elsewhere.', '/console/login');
    }
    const callbackUrl = new URL(request.url, settings.baseUrl);
    let signIn;
    try {
      signIn = await oidc.complete(callbackUrl, transaction);
    } catch (err) {
      // State, PKCE, signature, issuer, audience, nonce or max_age: openid-client names the failed check.
      request.log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'console sign-in refused');
      return failure(reply, 400, 'The identity provider’s answer could not be verified.', '/console/login');
    }
    const mapped = personFromClaims(signIn.claims, settings.claims, settings.policy(), settings.rolesOf);
    if (!mapped.ok) {
      request.log.warn({ reason: mapped.reason, subject: signIn.claims.sub }, 'console sign-in refused');
      return failure(reply, 403, `You signed in, but Airlock does not let you in: ${mapped.reason}.`);
    }
    const { person } = mapped;
    const session: ConsoleSession = {
      sid: randomBytes(16).toString('base64url'),
      issuer: signIn.claims.iss,
      subject: signIn.claims.sub,
      ...person,
      expiresAt: Date.now() + settings.sessionTtlMs,
    };
    reply.setCookie(cookies.session.name, await sessions.sealSession(session), cookies.session.options);
    request.log.info(
      {
        consoleIdentity: session.identity,
        roles: session.roles,
        authTime: session.authTime,
        acr: session.acr,
        amr: session.amr,
        stepUp: transaction.maxAgeSeconds,
      },
      'console sign-in',
    );
    return reply.redirect(transaction.returnTo, 303);
  });

  app.post('/console/logout', { preHandler: [context.requireSession, context.requireCsrf] }, async (request, reply) => {
    const session = context.session(request);
    reply.clearCookie(cookies.session.name, cookies.session.options);
    reply.clearCookie(cookies.csrf.name, cookies.csrf.options);
    request.log.info({ consoleIdentity: session.identity }, 'console sign-out');
    // The provider's own session is left alone: signing out of Airlock is not signing out of the company's IdP.
    return reply.redirect('/console/signed-out', 303);
  });

  app.get('/console/signed-out', async (_request, reply) =>
    plainPage(reply, 200, { title: 'Signed out', message: 'You have signed out of the Airlock console.', link: { href: '/console', text: 'Sign in again' } }),
  );
}

/** `maxAge` seconds of a step-up sign-in, when asked for and sensible. */
function stepUpMaxAge(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d{1,6}$/.test(raw)) return undefined;
  const seconds = Number(raw);
  return Math.min(Math.max(seconds, STEP_UP_MAX_AGE_SECONDS.min), STEP_UP_MAX_AGE_SECONDS.max);
}

function failure(reply: FastifyReply, status: number, message: string, retry?: string): FastifyReply {
  return plainPage(reply, status, {
    title: 'Sign-in failed',
    message,
    ...(retry ? { link: { href: retry, text: 'Sign in again' } } : {}),
  });
}
