import { componentRef } from './json-schema';
import type { ResponseObject } from './types';

/** The `error.code`s a route can answer, by HTTP status. */
export type ErrorCodes = Partial<Record<number, readonly string[]>>;

/** Codes that come with a kind of route rather than with one route. */
export const ROUTE_KIND_ERRORS = {
  /** Any route that reads an API key. */
  authenticated: { 401: ['unauthenticated'] },
  /** Any route behind the rate limiter (all but `/healthz`). */
  rateLimited: { 429: ['rate_limited'] },
  /** Any route that reads a JSON body. */
  jsonBody: {
    400: ['invalid_json', 'json_too_deep', 'invalid_content_length', 'bad_request'],
    413: ['body_too_large'],
    415: ['unsupported_media_type'],
  },
  /** Any route that talks to Temporal. */
  temporal: { 503: ['temporal_unavailable'] },
  /** Any route with an action id in its path. */
  actionId: { 404: ['action_not_found'], 414: ['url_too_long'] },
  /** Every route. */
  any: { 500: ['internal'] },
} as const satisfies Record<string, ErrorCodes>;

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is not valid; `error.issues` lists every problem with its path',
  401: 'Missing or unknown API key (logged)',
  403: 'The API key\'s principal may not do this (logged)',
  404: 'No such action, or one the caller may not see',
  409: 'Refused in the action\'s current state',
  413: 'The body is larger than the limit',
  414: 'The action id in the path is over 100 characters',
  415: 'Wrong `Content-Type`',
  422: 'The payloads could not be processed',
  429: 'Over the rate limit; nothing was done. Retry after `Retry-After` seconds',
  500: 'An internal error; the body carries no detail (it is in the server log)',
  503: 'Unavailable for now and nothing was recorded; retry, with the same `Idempotency-Key` where the route takes one',
};

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

/** One response per status: the error envelope with `error.code` narrowed to the codes listed. */
export function errorResponses(codes: ErrorCodes): Record<string, ResponseObject> {
  const responses: Record<string, ResponseObject> = {};
  const statuses = Object.keys(codes)
    .map(Number)
    .sort((a, b) => a - b);
  for (const status of statuses) {
    const list = codes[status] ?? [];
    responses[String(status)] = {
      description: `${STATUS_TEXT[status] ?? 'Error'}. \`error.code\`: ${list.map((code) => `\`${code}\``).join(', ')}.`,
      ...(status === 429 ? { headers: { 'Retry-After': { $ref: '#/components/headers/Retry-After' } } } : {}),
      content: {
        'application/json': {
          schema: {
            allOf: [
              componentRef('Error'),
              { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: [...list] } } } } },
            ],
          },
        },
      },
    };
  }
  return responses;
}
