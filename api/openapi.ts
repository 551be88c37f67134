import { createHash } from 'node:crypto';
import fastifySwagger, { type SwaggerTransform, type SwaggerTransformObject } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import { SESSION_COOKIE } from './codec/session';
import { operation } from './access';
import type { DeclaredResponse } from './route-responses';
import { json } from './route-responses';

const DESCRIPTION = `Airlock lets AI agents ask for privileged AWS actions; each runs only after the approvals its policy requires.

**Authentication.** \`Authorization: Bearer <API key>\` (\`alk_…\`) on every \`/v1\` route, or a JWT from an identity provider the
operator trusts (the principals file's \`tokenIssuers\`, for people through a console and agents through workload identity); the
caller's identity always comes from the key or the token, never from the body. Each operation says which roles may call it (also in
\`x-airlock-roles\`).

**Errors.** Every error is \`{ "error": { "code", "message", "issues"? } }\`; \`code\` is stable and machine-readable, and each
response below lists the codes it can carry. Before a route is reached, any request can also get \`400 bad_url\`,
\`400 malformed_request\`, \`404 not_found\` (no such path), \`405 method_not_allowed\` (the path exists, the method does not;
\`Allow\` lists those it has), \`408 request_timeout\`, \`417 expectation_failed\` or \`431 headers_too_large\`. Bad input never
produces a \`5xx\`.

**Limits.** Bodies up to 64 KiB by default (\`413 body_too_large\`), JSON nested at most 64 levels (\`400 json_too_deep\`),
a rate limit per API key or token identity (per client address without one; \`429 rate_limited\` with \`Retry-After\`).

**Retries.** The \`POST /v1\` routes take an \`Idempotency-Key\`: after a \`503\`, retry with the same key and nothing happens twice.

Generated from the routes this API registered, each with the zod schemas it validates with: a feature that is off (Slack,
Teams, the codec) has no paths here. \`npm run openapi\` writes the default configuration's to docs/openapi.json; see docs/api.md.`;

/** Only what this API's own pages need, from itself: nothing is fetched from elsewhere, so the page works offline. */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * @fastify/swagger, collecting every route registered after it: call before the routes. The
 * document is what this instance serves, built from each route's own schema.
 */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Airlock API', version: '1', description: DESCRIPTION, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
      security: [{ apiKey: [] }, { oidcToken: [] }],
      tags: [
        { name: 'actions', description: 'Request, read, decide and cancel privileged actions' },
        { name: 'audit', description: 'The hash-chained audit trail (auditors)' },
        { name: 'slack', description: 'Slack interactivity' },
        { name: 'teams', description: 'The Microsoft Teams bot endpoint' },
        { name: 'service', description: 'Health, metrics and this document' },
        { name: 'codec', description: 'The codec server for the Temporal UI and CLI (operators; only with payload encryption on)' },
      ],
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'alk_<base64url>',
            description: 'An API key. The API stores only its sha256; roles come with the principal it belongs to (docs/api.md).',
          },
          oidcToken: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              "A token from an identity provider in the principals file's `tokenIssuers` (refused when there are none): signature checked " +
              "against the issuer's JWKS, `iss`, `aud`, `exp`; the identity and roles come from the issuer's entry (docs/api.md).",
          },
          codecSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The codec session `POST /codec/login` sets, for browsers' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'The metrics token the operator configured, if any (not an API key)' },
          botFrameworkToken: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'The Bot Framework token the Bot Connector sends with every activity (not an API key)',
          },
        },
      },
    },
    convertConstToEnum: false, // OpenAPI 3.1 is JSON Schema 2020-12, which has `const`
    transform: documentRoute,
    transformObject: documentObject,
  });
}

/** zod to JSON Schema (fastify-type-provider-zod), keeping the response headers a route declares beside its content. */
const documentRoute: SwaggerTransform = (input) => {
  const out = jsonSchemaTransform(input);
  const declared = (input.schema as { response?: Record<string, DeclaredResponse> }).response ?? {};
  const response = (out.schema as { response?: Record<string, Record<string, unknown>> }).response;
  for (const [status, { headers }] of Object.entries(declared)) {
    const documented = response?.[status];
    if (!headers || !documented) continue;
    documented.headers = Object.fromEntries(Object.entries(headers).map(([name, header]) => [name, { ...header.schema, description: header.description }]));
  }
  return out;
};

/** The named schemas (fastify-type-provider-zod emits every one zod knows, in both directions): only those the paths use. */
const documentObject: SwaggerTransformObject = (input) => {
  // An OpenAPI 3.1 document: the one `installOpenApi` asks for.
  const document = jsonSchemaTransformObject(input) as Partial<OpenAPIV3_1.Document>;
  const schemas: Record<string, unknown> = document.components?.schemas ?? {};
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    for (const match of JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      const name = match[1] as string;
      if (used.has(name)) continue;
      used.add(name);
      visit(schemas[name]);
    }
  };
  visit(document.paths);
  const kept = Object.keys(schemas)
    .filter((name) => used.has(name))
    .sort();
  const components = { ...document.components, schemas: Object.fromEntries(kept.map((name) => [name, document.components?.schemas?.[name] ?? {}])) };
  return { ...document, components };
};

/** The document as served and as committed in docs/openapi.json: two-space indent, final newline. */
export function serializeDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * `GET /openapi.json` and the docs page at `/docs` (@fastify/swagger-ui, its assets served from
 * here). No API key: a client needs them before it has one. The document is built on the first
 * request, once every route is registered, and never changes while the process runs.
 */
export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  let served: { body: string; etag: string } | undefined;
  app.get(
    '/openapi.json',
    {
      schema: {
        ...operation({
          id: 'getOpenApiDocument',
          tag: 'service',
          summary: 'This document',
          description: 'OpenAPI 3.1, generated from the routes this API registered. Cacheable: answers `304` to a matching `If-None-Match`.',
        }),
        response: {
          200: {
            ...json('The OpenAPI document', z.record(z.string(), z.unknown())),
            headers: { ETag: { description: 'Changes when the document does', schema: { type: 'string' } } },
          },
          304: z.undefined().describe('Not modified since the `ETag` sent in `If-None-Match`'),
        },
      },
    },
    async (request, reply) => {
      if (!served) {
        const body = serializeDocument(app.swagger());
        served = { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
      }
      reply.headers({ 'cache-control': 'public, max-age=300', etag: served.etag });
      if (matchesEtag(request.headers['if-none-match'], served.etag)) return reply.status(304).send();
      return reply.type('application/json; charset=utf-8').send(served.body);
    },
  );
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: DOCS_CSP,
    // The page loads the document from /docs/json; no validator URL, so nothing is sent to an online validator.
    uiConfig: { deepLinking: true, defaultModelsExpandDepth: 0 },
  });
}

/** `If-None-Match` is `*` or a list of tags, each possibly weak (`W/"…"`); weak comparison is right for GET. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}
