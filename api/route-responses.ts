import type { FastifyInstance, RouteOptions } from 'fastify';
import { z } from 'zod';
import { DomainErrorCode } from '../domain/errors';
import { statusOf } from './domain-error-http';

/** The `error.code`s a route can answer, by HTTP status. */
export type ErrorCodes = Partial<Record<number, readonly string[]>>;

/** A response as a route declares it: the type provider types the reply by it, @fastify/swagger documents it. */
export interface DeclaredResponse {
  description: string;
  content: Record<string, { schema: z.ZodType }>;
  /** Response headers, as OpenAPI header objects (see `documentRoute` in openapi.ts). */
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is not valid; `error.issues` lists every problem with its path',
  401: 'Missing or unknown credentials (logged)',
  403: 'The caller may not do this (logged)',
  404: 'No such action, or one the caller may not see',
  409: "Refused in the action's current state",
  413: 'The body is larger than the limit',
  414: 'The action id in the path is over 100 characters',
  415: 'Wrong `Content-Type`',
  422: 'The payloads could not be processed',
  429: 'Over the rate limit; nothing was done. Retry after `Retry-After` seconds',
  500: 'An internal error; the body carries no detail (it is in the server log)',
  503: 'Unavailable for now and nothing was recorded; retry, with the same `Idempotency-Key` where the route takes one',
};

/** Codes that come with a kind of route rather than with one route; `installKindResponses` adds them. */
const KIND_ERRORS = {
  /** Any route behind the rate limiter (all but `/healthz` and `/metrics`). */
  rateLimited: { 429: ['rate_limited'] },
  /** Any route that reads a body. */
  body: { 413: ['body_too_large'], 415: ['unsupported_media_type'] },
  /** Any route that reads a JSON body. */
  jsonBody: { 400: ['invalid_json', 'json_too_deep', 'invalid_content_length', 'bad_request'] },
  /** Every route. */
  any: { 500: ['internal'] },
} as const satisfies Record<string, ErrorCodes>;

/** What each error response was built from, so that kind codes can be merged into it. */
const codesOf = new WeakMap<DeclaredResponse, { status: number; codes: readonly string[] }>();

/** A response with a JSON body. */
export function json<T extends z.ZodType>(description: string, schema: T): { description: string; content: { 'application/json': { schema: T } } } {
  return { description, content: { 'application/json': { schema } } };
}

/** A response whose body is not JSON (a page, metrics, JSON lines). */
export function text(description: string, mediaType: string): DeclaredResponse {
  return { description, content: { [mediaType]: { schema: z.string() } } };
}

/** The error envelope with `error.code` one of `codes`. */
export function errorBody(codes: readonly [string, ...string[]]) {
  return z.strictObject({
    error: z.strictObject({
      code: z.enum(codes).describe('Stable and machine-readable; branch on it, not on the message'),
      message: z.string().describe('For people; may change'),
      issues: z
        .array(z.strictObject({ path: z.string().describe('e.g. `body.params.sourceKey`'), message: z.string() }))
        .optional()
        .describe('Every validation problem, so all can be fixed at once'),
    }),
  });
}

/** Domain error codes under the statuses the API answers them with (domain-error-http.ts), so the document cannot disagree. */
export function domainErrors(...codes: DomainErrorCode[]): ErrorCodes {
  const byStatus: Record<number, string[]> = {};
  for (const code of codes) (byStatus[statusOf(code)] ??= []).push(code);
  return byStatus;
}

/** Merges code lists; a code listed twice under one status is listed once. */
export function mergeErrorCodes(...lists: ErrorCodes[]): ErrorCodes {
  const merged: Record<number, string[]> = {};
  for (const list of lists) {
    for (const [status, codes] of Object.entries(list)) {
      const into = (merged[Number(status)] ??= []);
      for (const code of codes ?? []) if (!into.includes(code)) into.push(code);
    }
  }
  return merged;
}

/** What a route with an action id in its path can answer for the id alone. */
export const actionIdErrors = mergeErrorCodes(domainErrors(DomainErrorCode.ActionNotFound), { 414: ['url_too_long'] });

/** One response per status: the error envelope with its codes, and what the status means. */
export function errorResponses(...lists: ErrorCodes[]): Record<number, DeclaredResponse> {
  const responses: Record<number, DeclaredResponse> = {};
  for (const [status, codes] of Object.entries(mergeErrorCodes(...lists))) {
    if (codes?.[0] === undefined) continue;
    responses[Number(status)] = errorResponse(Number(status), [codes[0], ...codes.slice(1)]);
  }
  return responses;
}

function errorResponse(status: number, codes: readonly [string, ...string[]]): DeclaredResponse {
  const response: DeclaredResponse = {
    ...json(`${STATUS_TEXT[status] ?? 'Error'}. \`error.code\`: ${codes.map((code) => `\`${code}\``).join(', ')}.`, errorBody(codes)),
    ...(status === 429
      ? { headers: { 'Retry-After': { description: "Seconds until the rate limit's window ends", schema: { type: 'integer', minimum: 0 } } } }
      : {}),
  };
  codesOf.set(response, { status, codes });
  return response;
}

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed per minute', schema: { type: 'integer', minimum: 0 } },
  'X-RateLimit-Remaining': { description: 'Requests left in this minute', schema: { type: 'integer', minimum: 0 } },
  'X-RateLimit-Reset': { description: 'Seconds until the window ends', schema: { type: 'integer', minimum: 0 } },
};

/**
 * Adds to every route's declared responses the errors that come with its kind (rate limited, reads
 * a body, reads JSON, any route's 500), so each route declares only its own. An `onRoute` hook on
 * the root instance: it sees every route, the channels' included, before Fastify compiles it.
 */
export function installKindResponses(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as { hide?: boolean; response?: Record<string, unknown>; body?: unknown; consumes?: readonly string[] } | undefined;
    if (!schema?.response || schema.hide) return;
    const rateLimited = (route.config as { rateLimit?: unknown } | undefined)?.rateLimit !== false;
    const readsBody = schema.body !== undefined;
    const kinds = mergeErrorCodes(
      rateLimited ? KIND_ERRORS.rateLimited : {},
      readsBody ? KIND_ERRORS.body : {},
      readsBody && !schema.consumes ? KIND_ERRORS.jsonBody : {},
      KIND_ERRORS.any,
    );
    const response: Record<string, unknown> = { ...schema.response };
    for (const [status, codes] of Object.entries(kinds)) {
      const declared = response[status] as DeclaredResponse | undefined;
      const own = declared ? codesOf.get(declared) : undefined;
      if (declared && !own) continue; // a body of the route's own (an unhealthy /healthz): left as declared
      response[status] = errorResponses({ [status]: [...(own?.codes ?? []), ...(codes ?? [])] })[Number(status)];
    }
    if (rateLimited) {
      for (const [status, declared] of Object.entries(response)) {
        // A bare zod schema is a response without a body (204, 304): its headers are not documented.
        if (Number(status) < 400 && !(declared instanceof z.ZodType)) response[status] = withHeaders(declared as DeclaredResponse, RATE_LIMIT_HEADERS);
      }
    }
    route.schema = { ...schema, response };
  });
}

function withHeaders(response: DeclaredResponse, headers: NonNullable<DeclaredResponse['headers']>): DeclaredResponse {
  return { ...response, headers: { ...response.headers, ...headers } };
}
