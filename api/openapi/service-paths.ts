import { auditQuery } from '../routes/audit';
import { SLACK_BODY_LIMIT } from '../../channels/slack/inbound/interactions';
import { TEAMS_BODY_LIMIT } from '../../channels/teams/inbound/messages';
import { ROUTE_KIND_ERRORS } from './error-responses';
import { componentRef } from './json-schema';
import { jsonResponse, type RouteDoc } from './operation';
import { actionIdParameter, queryParameters } from './parameters';

/** The audit trail (auditors), health, Slack interactivity and this document. */
export const serviceRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/actions/{id}/lineage',
    operationId: 'getActionLineage',
    summary: 'Every audit event of one action',
    description: 'Read from the audit store, which outlives Temporal\'s retention. See docs/audit.md.',
    tag: 'audit',
    access: ['auditor'],
    rateLimited: true,
    parameters: [actionIdParameter],
    responses: { '200': jsonResponse('The events in chain order', 'ActionLineage') },
    errors: ROUTE_KIND_ERRORS.actionId,
  },
  {
    method: 'get',
    path: '/v1/audit',
    operationId: 'exportAudit',
    summary: 'Export the audit trail as JSON lines',
    description: 'Streamed a page at a time, in chain order: one `AuditRecord` (see components) per line. For a SIEM.',
    tag: 'audit',
    access: ['auditor'],
    rateLimited: true,
    parameters: queryParameters(auditQuery, {
      from: 'Events that occurred at or after this time (with its offset); `from` must not be after `to`',
      to: 'Events that occurred at or before this time (with its offset)',
      action: 'Only this action\'s events',
      actor: 'Only events caused by this identity (or `airlock`, `policy`)',
    }),
    responses: {
      '200': {
        description: 'JSON lines: each line is one `AuditRecord`',
        content: { 'application/x-ndjson': { schema: { type: 'string', description: 'One JSON `AuditRecord` per line' } } },
      },
    },
    errors: { 400: ['invalid_request'] },
  },
  {
    method: 'get',
    path: '/v1/audit/verify',
    operationId: 'verifyAudit',
    summary: 'Check the audit hash chain and every identity proof',
    description:
      'Walks the whole chain and reports the head, or the first broken link, and checks the identity proof of every request, vote and cancel against the API\'s public keys. `npm run audit:verify` does the same from a shell.',
    tag: 'audit',
    access: ['auditor'],
    rateLimited: true,
    responses: { '200': jsonResponse('The report (`ok: false` with `firstBreak` when the chain is broken)', 'AuditVerifyReport') },
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness and Temporal reachability',
    description: 'For load balancers and `npm start`. Not rate limited.',
    tag: 'service',
    access: 'none',
    rateLimited: false,
    responses: {
      '200': jsonResponse('Up, and Temporal answers', 'Health'),
      '503': jsonResponse('Up, but Temporal cannot be reached', 'Health'),
    },
  },
  {
    method: 'post',
    path: '/slack/interactions',
    operationId: 'slackInteractions',
    summary: 'Slack button clicks and modal submissions',
    description:
      'Slack\'s interactivity request URL; registered only when a Slack signing secret is configured (otherwise `404 not_found`). ' +
      'The signature is checked over the raw body before anything is parsed. Once it is valid, Slack always gets a `200`, within 3 s: ' +
      'a refused or failed decision is told to the reviewer in Slack. ' +
      `The body limit here is ${SLACK_BODY_LIMIT / 1024} KiB. Rate limited per client IP address. See docs/slack.md.`,
    tag: 'slack',
    access: 'none',
    rateLimited: true,
    parameters: [
      {
        name: 'X-Slack-Signature',
        in: 'header',
        required: true,
        description: '`v0=` and the hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret',
        schema: { type: 'string' },
      },
      {
        name: 'X-Slack-Request-Timestamp',
        in: 'header',
        required: true,
        description: 'Unix seconds; more than 5 minutes from the server\'s time is `401 stale_request`',
        schema: { type: 'string', pattern: '^\\d+$' },
      },
    ],
    requestBody: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: { type: 'object', properties: { payload: componentRef('SlackInteractionPayload') }, required: ['payload'] },
          encoding: { payload: { contentType: 'application/json' } },
        },
      },
    },
    responses: {
      '200': {
        description: 'Acknowledged: an empty body for a click, a `SlackViewSubmissionAck` for a modal submission',
        content: { 'application/json': { schema: componentRef('SlackViewSubmissionAck') } },
      },
    },
    errors: { 400: ['invalid_payload'], 401: ['invalid_signature', 'stale_request'], 413: ['body_too_large'], 415: ['unsupported_media_type'] },
  },
  {
    method: 'post',
    path: '/teams/messages',
    operationId: 'teamsMessages',
    summary: 'The Teams bot endpoint: card clicks (Bot Framework activities)',
    description:
      'The bot\'s messaging endpoint; registered only when a Teams app id is configured (otherwise `404 not_found`). ' +
      'The Bot Framework token is checked before the body is read (signature, issuer, audience, expiry), then bound to the activity\'s `serviceUrl`. ' +
      'An `adaptiveCard/action` invoke answers `200` with a Universal Actions invoke response (the refreshed card, or a message); ' +
      'other invokes `501`; other activities an empty `200`. ' +
      `The body limit here is ${TEAMS_BODY_LIMIT / 1024} KiB. Rate limited per client IP address. See docs/teams.md.`,
    tag: 'teams',
    access: 'none',
    security: [{ botFrameworkToken: [] }],
    rateLimited: true,
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { type: 'object', description: 'A Bot Framework activity', properties: { type: { type: 'string' } }, required: ['type'] } } },
    },
    responses: {
      '200': {
        description: 'For an `adaptiveCard/action` invoke: `{ statusCode, type, value }` (an Adaptive Card, a message, or an error); otherwise empty',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: { statusCode: { type: 'integer' }, type: { type: 'string' }, value: {} },
              required: ['statusCode', 'type', 'value'],
            },
          },
        },
      },
      '501': { description: 'An invoke Airlock does not handle' },
    },
    errors: { 401: ['unauthenticated'] },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    description: 'OpenAPI 3.1, generated from the zod schemas the API validates with. Cacheable: answers `304` to a matching `If-None-Match`.',
    tag: 'service',
    access: 'none',
    rateLimited: true,
    responses: {
      '200': {
        description: 'The OpenAPI document',
        headers: { ETag: { description: 'Changes when the document does', schema: { type: 'string' } } },
        content: { 'application/json': { schema: { type: 'object' } } },
      },
      '304': { description: 'Not modified since the `ETag` sent in `If-None-Match`' },
    },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'getDocsPage',
    summary: 'This document as a web page',
    description: 'A self-contained HTML page (no scripts) listing every endpoint, generated from this document.',
    tag: 'service',
    access: 'none',
    rateLimited: true,
    responses: { '200': { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } } },
  },
];
