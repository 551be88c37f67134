import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal, PrincipalDirectory } from '../../config/principals';
import { UnknownKeyError } from '../../codec/aes-gcm-codec';
import { operation } from '../access';
import { authenticateApiKey, hasRole, identifyApiKey } from '../auth';
import { ApiError } from '../errors';
import { errorResponses, json, text } from '../route-responses';
import { applyCors, answerPreflight } from './cors';
import { loginPage, signedInPage } from './login-page';
import { payloadsBody, payloadsFromJson, payloadsToJson } from './payloads-json';
import { readCookie, SESSION_COOKIE, SESSION_TTL_MS, type SessionSigner } from './session';

export interface CodecRoutesDeps {
  codec: PayloadCodec;
  principals: PrincipalDirectory;
  /** The namespace this deployment serves; the UI names its namespace in X-Namespace. */
  namespace: string;
  corsOrigins: readonly string[];
  sessions: SessionSigner;
}

/** A page of history can hold many payloads of up to 2 MiB each (Temporal's default limit). */
const CODEC_BODY_LIMIT = 8 * 1024 * 1024;
const LOGIN_BODY_LIMIT = 4 * 1024;

/**
 * The codec server (Temporal's remote codec protocol) for the Temporal UI and CLI: `/codec/encode`
 * and `/codec/decode`, for operators only. Callers prove who they are with an operator's API key
 * (`temporal workflow show --codec-endpoint … --codec-auth 'Bearer …'`) or, from a browser, with
 * the session cookie `/codec/login` sets. Every decode is logged with who asked.
 */
export async function codecRoutes(scope: FastifyInstance, deps: CodecRoutesDeps): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { codec, principals, namespace, corsOrigins, sessions } = deps;
  const operators = new WeakMap<FastifyRequest, Principal>();
  const corsErrors = { 403: ['origin_not_allowed'] };

  app.addHook('onRequest', async (request, reply) => applyCors(request, reply, corsOrigins));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: LOGIN_BODY_LIMIT }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });

  for (const direction of ['encode', 'decode'] as const) {
    app.options(
      `/codec/${direction}`,
      {
        schema: {
          ...operation({
            id: `${direction}PayloadsPreflight`,
            tag: 'codec',
            summary: 'CORS preflight',
            description: 'For the Temporal UI in a browser: allowed origins get the CORS headers, others `403 origin_not_allowed`.',
          }),
          response: { 204: z.undefined().describe('Allowed'), ...errorResponses(corsErrors) },
        },
      },
      async (_request, reply) => answerPreflight(reply),
    );
    app.post(
      `/codec/${direction}`,
      {
        bodyLimit: CODEC_BODY_LIMIT,
        preValidation: async (request) => {
          operators.set(request, authorizeOperator(request, principals, sessions));
        },
        schema: {
          ...operation({
            id: `${direction}Payloads`,
            tag: 'codec',
            summary: direction === 'encode' ? 'Encrypt payloads' : 'Decrypt payloads',
            description:
              direction === 'encode'
                ? 'Encrypts Temporal payloads with the current key, as workers do.'
                : 'Decrypts Temporal payloads so the Temporal UI and CLI can show them; every decode is logged with who asked.',
            note:
              'Access: an API key with the role `operator`, or the session cookie `/codec/login` sets (from a browser, the Temporal UI). ' +
              'A browser call must come from an origin in `AIRLOCK_CODEC_CORS_ORIGINS`.',
          }),
          security: [{ apiKey: [] }, { codecSession: [] }],
          'x-airlock-roles': ['operator'],
          headers: z.looseObject({
            'x-namespace': z.string().optional().describe('The Temporal namespace; another than the one this API serves is `403 namespace_not_served`'),
          }),
          body: payloadsBody,
          response: {
            200: json(`The payloads, ${direction}d`, payloadsBody),
            ...errorResponses(
              { 400: ['invalid_request'], 401: ['unauthenticated'], 403: ['forbidden', 'namespace_not_served'] },
              corsErrors,
              direction === 'decode' ? { 422: ['unknown_key_id', 'undecryptable_payload'] } : {},
            ),
          },
        },
      },
      async (request) => {
        const principal = operators.get(request);
        if (!principal) throw new Error('codec route reached without its operator check');
        const asked = request.headers['x-namespace'];
        if (asked !== undefined && asked !== namespace) {
          throw new ApiError(403, 'namespace_not_served', `this codec serves namespace ${namespace}, not ${asked}`);
        }
        const payloads = payloadsFromJson(request.body);
        const converted = await convert(codec, direction, payloads);
        request.log.info({ principal: principal.id, direction, payloads: payloads.length }, 'codec request');
        return payloadsToJson(converted);
      },
    );
  }

  const page = (description: string) => text(description, 'text/html');
  app.get(
    '/codec/login',
    {
      schema: {
        ...operation({
          id: 'codecLoginPage',
          tag: 'codec',
          summary: 'The codec sign-in page',
          description: "A form that takes an operator's API key and sets the codec session cookie.",
        }),
        response: { 200: page('The page'), ...errorResponses(corsErrors) },
      },
    },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(loginPage()),
  );
  app.post(
    '/codec/login',
    {
      schema: {
        ...operation({
          id: 'codecLogin',
          tag: 'codec',
          summary: 'Sign in to the codec',
          description: `Sets the \`${SESSION_COOKIE}\` cookie (HttpOnly, SameSite=Strict, path \`/codec\`) for an operator's key.`,
          note: 'Access: the form carries an API key with the role `operator`.',
        }),
        consumes: ['application/x-www-form-urlencoded'],
        body: z.looseObject({ key: z.string().describe("An operator's API key") }),
        response: {
          200: page('Signed in: the page says until when'),
          401: page('Not an operator key: the form again'),
          ...errorResponses({ 400: ['invalid_request'] }, corsErrors),
        },
      },
    },
    async (request, reply) => {
      const principal = principals.authenticate(request.body.key);
      if (!principal || !hasRole(principal, 'operator')) {
        request.log.warn({ principal: principal?.id, ip: request.ip }, 'refused codec sign-in');
        return reply.status(401).type('text/html; charset=utf-8').send(loginPage('That key is not an operator key.'));
      }
      const { token, session } = sessions.issue(principal.id);
      request.log.info({ principal: principal.id }, 'codec sign-in');
      return reply
        .header('set-cookie', sessionCookie(token, request.protocol === 'https', SESSION_TTL_MS / 1000))
        .type('text/html; charset=utf-8')
        .send(signedInPage(principal.id, session.expiresAt, `${request.protocol}://${request.host}/codec`));
    },
  );
  app.post(
    '/codec/logout',
    {
      schema: {
        ...operation({ id: 'codecLogout', tag: 'codec', summary: 'Sign out of the codec', description: 'Clears the session cookie.' }),
        response: { 200: page('Signed out'), ...errorResponses(corsErrors) },
      },
    },
    async (request, reply) =>
      reply
        .header('set-cookie', sessionCookie('', request.protocol === 'https', 0))
        .type('text/html; charset=utf-8')
        .send(loginPage('Signed out.')),
  );
}

/**
 * The operator behind a bearer API key or a valid session cookie; 401/403 (logged) otherwise. A
 * bearer that is not an Airlock key (the UI's own SSO token, when "pass the user access token" is
 * on) does not hide the session cookie sent beside it.
 */
function authorizeOperator(request: FastifyRequest, principals: PrincipalDirectory, sessions: SessionSigner): Principal {
  const byKey = request.headers.authorization ? identifyApiKey(principals, request) : undefined;
  const token = byKey ? undefined : readCookie(request.headers.cookie, SESSION_COOKIE);
  let principal: Principal | undefined = byKey;
  if (token) {
    // A signed session names a principal; it must still exist and still be an operator.
    const session = sessions.verify(token);
    principal = session ? principals.byIdentity(session.principalId) : undefined;
    if (!principal) throw new ApiError(401, 'unauthenticated', 'codec session expired or invalid; sign in at /codec/login');
  } else if (!principal) {
    principal = authenticateApiKey(principals, request); // throws the usual 401 for a missing or unknown key
  }
  if (!hasRole(principal, 'operator')) throw new ApiError(403, 'forbidden', `${principal.id} needs the operator role to use the codec`);
  return principal;
}

async function convert(codec: PayloadCodec, direction: 'encode' | 'decode', payloads: Payload[]): Promise<Payload[]> {
  if (direction === 'encode') return codec.encode(payloads);
  try {
    return await codec.decode(payloads);
  } catch (err) {
    if (err instanceof UnknownKeyError) throw new ApiError(422, 'unknown_key_id', err.message);
    // A tampered or truncated payload fails GCM authentication: say so, not 500.
    throw new ApiError(422, 'undecryptable_payload', 'a payload could not be decrypted (tampered, truncated, or not ours)');
  }
}

function sessionCookie(token: string, secure: boolean, maxAgeSeconds: number): string {
  return [`${SESSION_COOKIE}=${token}`, 'Path=/codec', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`, ...(secure ? ['Secure'] : [])].join('; ');
}
