import { SESSION_COOKIE } from '../codec/session';
import { mergeErrorCodes } from './error-responses';
import { jsonBody, jsonResponse, type RouteDoc } from './operation';
import type { ResponseObject } from './types';

// Routes for operators, each registered only when its feature is configured: `/metrics` with
// metrics on, `/codec/*` with payload encryption on (docs/operators.md).

const HTML_PAGE: ResponseObject = { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } };

const CODEC_ACCESS =
  'Access: an API key with the role `operator`, or the session cookie `/codec/login` sets (from a browser, the Temporal UI). ' +
  'A browser call must come from an origin in `AIRLOCK_CODEC_CORS_ORIGINS`.';

/** The codec server of Temporal's remote codec protocol, both directions. */
function codecRoutes(direction: 'encode' | 'decode'): RouteDoc[] {
  const path = `/codec/${direction}`;
  return [
    {
      method: 'options',
      path,
      operationId: `${direction}PayloadsPreflight`,
      summary: 'CORS preflight',
      description: 'For the Temporal UI in a browser: allowed origins get the CORS headers, others `403 origin_not_allowed`.',
      tag: 'codec',
      access: 'none',
      rateLimited: true,
      responses: { '204': { description: 'Allowed' } },
      errors: { 403: ['origin_not_allowed'] },
    },
    {
      method: 'post',
      path,
      operationId: `${direction}Payloads`,
      summary: direction === 'encode' ? 'Encrypt payloads' : 'Decrypt payloads',
      description:
        direction === 'encode'
          ? 'Encrypts Temporal payloads with the current key, as workers do.'
          : 'Decrypts Temporal payloads so the Temporal UI and CLI can show them; every decode is logged with who asked.',
      tag: 'codec',
      access: ['operator'],
      accessNote: CODEC_ACCESS,
      security: [{ apiKey: [] }, { codecSession: [] }],
      rateLimited: true,
      parameters: [
        {
          name: 'X-Namespace',
          in: 'header',
          required: false,
          description: 'The Temporal namespace; another than the one this API serves is `403 namespace_not_served`',
          schema: { type: 'string' },
        },
      ],
      requestBody: jsonBody('CodecPayloadsRequest', true),
      responses: { '200': jsonResponse(`The payloads, ${direction}d`, 'CodecPayloads') },
      errors: mergeErrorCodes(
        { 400: ['invalid_request'], 403: ['namespace_not_served', 'origin_not_allowed'] },
        direction === 'decode' ? { 422: ['unknown_key_id', 'undecryptable_payload'] } : {},
      ),
    },
  ];
}

export const operatorRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description:
      'The API\'s series in the Prometheus text format, e.g. `airlock_action_requests_total` by action and outcome. ' +
      'Registered only when metrics are on. Not rate limited.',
    tag: 'service',
    access: 'none',
    accessNote: 'Access: no API key; when the operator sets a metrics token, `Authorization: Bearer <metrics token>`.',
    security: [{}, { metricsToken: [] }],
    rateLimited: false,
    responses: { '200': { description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
    errors: { 401: ['unauthenticated'] },
  },
  ...codecRoutes('encode'),
  ...codecRoutes('decode'),
  {
    method: 'get',
    path: '/codec/login',
    operationId: 'codecLoginPage',
    summary: 'The codec sign-in page',
    description: 'A form that takes an operator\'s API key and sets the codec session cookie.',
    tag: 'codec',
    access: 'none',
    rateLimited: true,
    responses: { '200': HTML_PAGE },
  },
  {
    method: 'post',
    path: '/codec/login',
    operationId: 'codecLogin',
    summary: 'Sign in to the codec',
    description: `Sets the \`${SESSION_COOKIE}\` cookie (HttpOnly, SameSite=Strict, path \`/codec\`) for an operator's key.`,
    tag: 'codec',
    access: 'none',
    accessNote: 'Access: the form carries an API key with the role `operator`.',
    rateLimited: true,
    requestBody: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { key: { type: 'string', description: 'An operator\'s API key' } }, required: ['key'] } },
      },
    },
    responses: { '200': { ...HTML_PAGE, description: 'Signed in: the page says until when' }, '401': { ...HTML_PAGE, description: 'Not an operator key: the form again' } },
    errors: { 413: ['body_too_large'], 415: ['unsupported_media_type'] },
  },
  {
    method: 'post',
    path: '/codec/logout',
    operationId: 'codecLogout',
    summary: 'Sign out of the codec',
    description: 'Clears the session cookie.',
    tag: 'codec',
    access: 'none',
    rateLimited: true,
    responses: { '200': { ...HTML_PAGE, description: 'Signed out' } },
  },
];

