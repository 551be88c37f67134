import type { Catalogue } from '../../operations/catalogue';
import { SESSION_COOKIE } from '../codec/session';
import { actionRouteDocs } from './action-paths';
import { ComponentSet } from './json-schema';
import { operation, type RouteDoc } from './operation';
import { operatorRouteDocs } from './operator-paths';
import { addRequestComponents } from './request-components';
import { addResponseComponents } from './response-schemas';
import { serviceRouteDocs } from './service-paths';
import type { JsonSchema, OpenApiDocument, PathItem } from './types';

/** Every route the API can register; a test checks them against a built API both ways. */
const ROUTE_DOCS: readonly RouteDoc[] = [...actionRouteDocs, ...serviceRouteDocs, ...operatorRouteDocs];

const DESCRIPTION = `Airlock lets AI agents ask for privileged AWS actions; each runs only after the approvals its policy requires.

**Authentication.** \`Authorization: Bearer <API key>\` (\`alk_…\`) on every \`/v1\` route; the caller's identity always comes
from the key, never from the body. Each operation says which roles may call it (also in \`x-airlock-roles\`).

**Errors.** Every error is \`{ "error": { "code", "message", "issues"? } }\`; \`code\` is stable and machine-readable, and each
response below lists the codes it can carry. Before a route is reached, any request can also get \`400 bad_url\`,
\`400 malformed_request\`, \`404 not_found\` (no such route), \`408 request_timeout\`, \`417 expectation_failed\` or
\`431 headers_too_large\`. Bad input never produces a \`5xx\`.

**Limits.** Bodies up to 64 KiB by default (\`413 body_too_large\`), JSON nested at most 64 levels (\`400 json_too_deep\`),
a rate limit per API key (per client address without one; \`429 rate_limited\` with \`Retry-After\`).

**Retries.** The \`POST /v1\` routes take an \`Idempotency-Key\`: after a \`503\`, retry with the same key and nothing happens twice.

Generated from the zod schemas the API validates with (\`npm run openapi\` writes docs/openapi.json); see docs/api.md.`;

/** The OpenAPI 3.1 document of the HTTP API, for the operations of `catalogue`. */
export function buildOpenApiDocument(catalogue: Catalogue): OpenApiDocument {
  const requests = new ComponentSet('input');
  const createActionUnion = addRequestComponents(requests, catalogue);
  const responses = new ComponentSet('output');
  addResponseComponents(responses);
  return {
    openapi: '3.1.0',
    info: { title: 'Airlock API', version: '1', description: DESCRIPTION, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
    security: [{ apiKey: [] }],
    tags: [
      { name: 'actions', description: 'Request, read, decide and cancel privileged actions' },
      { name: 'audit', description: 'The hash-chained audit trail (auditors)' },
      { name: 'slack', description: 'Slack interactivity' },
      { name: 'teams', description: 'The Microsoft Teams bot endpoint' },
      { name: 'service', description: 'Health, metrics and this document' },
      { name: 'codec', description: 'The codec server for the Temporal UI and CLI (operators; only with payload encryption on)' },
    ],
    paths: buildPaths(ROUTE_DOCS),
    components: {
      schemas: mergeSchemas(requests.toJsonSchemas(), createActionUnion, responses.toJsonSchemas()),
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'alk_<base64url>',
          description: 'An API key. The API stores only its sha256; roles come with the principal it belongs to (docs/api.md).',
        },
        codecSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The codec session `POST /codec/login` sets, for browsers' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'The metrics token the operator configured, if any (not an API key)' },
        botFrameworkToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The Bot Framework token the Bot Connector sends with every activity (not an API key)' },
      },
      headers: {
        'Retry-After': { description: 'Seconds until the rate limit\'s window ends', schema: { type: 'integer', minimum: 0 } },
        'X-RateLimit-Limit': { description: 'Requests allowed per minute', schema: { type: 'integer', minimum: 0 } },
        'X-RateLimit-Remaining': { description: 'Requests left in this minute', schema: { type: 'integer', minimum: 0 } },
        'X-RateLimit-Reset': { description: 'Seconds until the window ends', schema: { type: 'integer', minimum: 0 } },
      },
    },
  };
}

/** The document as served and as committed in docs/openapi.json: two-space indent, final newline. */
export function serializeDocument(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

function buildPaths(routes: readonly RouteDoc[]): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    if (item[route.method]) throw new Error(`${route.method.toUpperCase()} ${route.path} is documented twice`);
    item[route.method] = operation(route);
  }
  return paths;
}

/** One `components.schemas`, sorted by name; a name defined twice must mean the same schema (e.g. `JsonValue`). */
function mergeSchemas(...sets: Record<string, JsonSchema>[]): Record<string, JsonSchema> {
  const merged = new Map<string, JsonSchema>();
  for (const set of sets) {
    for (const [name, schema] of Object.entries(set)) {
      const existing = merged.get(name);
      if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) throw new Error(`two different schemas named ${name}`);
      merged.set(name, schema);
    }
  }
  return Object.fromEntries([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
