import { getActionQuery, listQuery, MAX_WAIT_SECONDS } from '../schemas';
import { ROUTE_KIND_ERRORS, mergeErrorCodes } from './error-responses';
import { jsonBody, jsonResponse, type RouteDoc } from './operation';
import { actionIdParameter, idempotencyKeyParameter, queryParameters } from './parameters';

const VOTE_OR_CANCEL_UNAVAILABLE = { 503: ['worker_unavailable', 'temporal_unavailable'] };

/** `/v1/actions…`: agents request and cancel, reviewers decide, everyone reads what they may see. */
export const actionRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/catalogue',
    operationId: 'getCatalogue',
    summary: 'What an agent may ask for',
    description:
      'Every catalogue operation with the JSON Schema of its params, and `review`: what the policy loaded now makes of the caller\'s own requests ' +
      '(`required`, `not_required`, `denied` or `depends_on_params`). Registered when the API is given the policy, as `npm start` and the container do.',
    tag: 'actions',
    access: ['requester', 'reviewer', 'admin', 'auditor'],
    rateLimited: true,
    responses: { '200': jsonResponse('The catalogue, for the caller', 'Catalogue') },
  },
  {
    method: 'post',
    path: '/v1/actions',
    operationId: 'createAction',
    summary: 'Request a privileged action',
    description:
      'Starts the action\'s workflow and answers once policy has decided (status `pending_review`, `denied`, `approved`, `executing` or later). ' +
      'If no worker answers within the admission timeout (10 s by default), the answer is still `202`, with status `evaluating`: ' +
      'the request is recorded durably, so poll `GET /v1/actions/{id}`. `params` are checked by the operation\'s own schema; ' +
      '`callbackUrl` must be https (http on loopback only) on a host the operator allows.',
    tag: 'actions',
    access: ['requester'],
    rateLimited: true,
    parameters: [
      idempotencyKeyParameter(
        'The same key from the same requester returns the same action and starts no second workflow (the answer then has `Idempotent-Replayed: true`). ' +
          'Reusing it for a different request is `409 idempotency_key_reused`. Takes precedence over `idempotencyKey` in the body.',
      ),
    ],
    requestBody: jsonBody('CreateActionRequest', true),
    responses: {
      '202': {
        ...jsonResponse('The action, as policy left it', 'ActionView'),
        headers: {
          Location: { description: 'The action: `/v1/actions/{id}`', schema: { type: 'string' } },
          'Idempotent-Replayed': { description: '`true` when an earlier request with the same key created this action', schema: { type: 'string', enum: ['true'] } },
        },
      },
    },
    errors: mergeErrorCodes(
      { 400: ['invalid_request', 'invalid_params', 'unknown_action', 'invalid_callback_url'], 409: ['idempotency_key_reused'] },
      ROUTE_KIND_ERRORS.temporal,
    ),
  },
  {
    method: 'get',
    path: '/v1/actions',
    operationId: 'listActions',
    summary: 'List actions, newest first',
    description:
      'From Temporal visibility, which is eventually consistent: a just-created action can take a moment to appear. ' +
      'A requester sees only its own actions; reviewers, admins and auditors see all.',
    tag: 'actions',
    access: 'any',
    rateLimited: true,
    parameters: queryParameters(listQuery, { status: 'Only actions in this status', action: 'Only this catalogue operation', limit: 'At most this many' }),
    responses: { '200': jsonResponse('The actions', 'ActionList') },
    errors: mergeErrorCodes({ 400: ['invalid_request'] }, ROUTE_KIND_ERRORS.temporal),
  },
  {
    method: 'get',
    path: '/v1/actions/{id}',
    operationId: 'getAction',
    summary: 'Read one action',
    description:
      'The full state, from the workflow. When no worker answers in time, what history alone tells (`live: false`, no votes). ' +
      'A requester sees only its own actions: other ids answer `404`, so they do not reveal that an action exists. ' +
      'With `waitSeconds`, a long poll: the answer comes once the action is final (`succeeded`, `failed`, `denied`, `rejected`, `expired` or `cancelled`), ' +
      'or when the seconds have passed, with the status then (still `pending_review`, say); a final action is answered at once.',
    tag: 'actions',
    access: 'any',
    rateLimited: true,
    parameters: [
      actionIdParameter,
      ...queryParameters(getActionQuery, {
        waitSeconds: `Wait up to this many seconds (0 to ${MAX_WAIT_SECONDS}) for the action to be final; 0 answers at once`,
      }),
    ],
    responses: { '200': jsonResponse('The action', 'ActionDetail') },
    errors: mergeErrorCodes({ 400: ['invalid_request'] }, ROUTE_KIND_ERRORS.actionId, ROUTE_KIND_ERRORS.temporal),
  },
  {
    method: 'post',
    path: '/v1/actions/{id}/decisions',
    operationId: 'decideAction',
    summary: 'Approve or reject an action',
    description:
      'One rejection ends the request; a quorum of approvals releases it. The workflow refuses a bad vote before anything is written to its history, ' +
      'and the refusal is recorded in the audit trail. A vote answered `503` may still be applied when a worker returns: retry with the same `Idempotency-Key` ' +
      'and it is counted once.',
    tag: 'actions',
    access: ['reviewer'],
    rateLimited: true,
    parameters: [actionIdParameter, idempotencyKeyParameter('A retried vote with the same key returns the first result and is not counted again.')],
    requestBody: jsonBody('DecisionRequest', true),
    responses: { '200': jsonResponse('The action after the vote', 'ActionView') },
    errors: mergeErrorCodes(
      {
        400: ['invalid_request', 'comment_required'],
        403: ['not_an_approver'],
        409: ['self_approval', 'already_voted', 'action_closed', 'not_pending_review'],
        503: ['audit_unavailable'],
      },
      VOTE_OR_CANCEL_UNAVAILABLE,
      ROUTE_KIND_ERRORS.actionId,
    ),
  },
  {
    method: 'post',
    path: '/v1/actions/{id}/cancel',
    operationId: 'cancelAction',
    summary: 'Cancel a pending action',
    description:
      'While the action is evaluated or pending review, up to its `deadline`; afterwards `409 not_cancellable`. ' +
      'The requester may cancel its own actions, an admin any. The body may be left out.',
    tag: 'actions',
    access: ['requester', 'admin'],
    rateLimited: true,
    parameters: [actionIdParameter, idempotencyKeyParameter('A cancel retried with the same key (after a `503`, say) returns the first cancel\'s result.')],
    requestBody: jsonBody('CancelRequest', false),
    responses: { '200': jsonResponse('The action after the cancel', 'ActionView') },
    errors: mergeErrorCodes({ 400: ['invalid_request'], 409: ['not_cancellable'] }, VOTE_OR_CANCEL_UNAVAILABLE, ROUTE_KIND_ERRORS.actionId),
  },
];
