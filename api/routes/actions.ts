import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callbackUrlProblem } from '../../channels/callback/callback-url';
import type { ActionRead, ActionsPort } from '../../domain/actions-port';
import { ActionNotFoundError, DomainErrorCode } from '../../domain/errors';
import { ACTION_STATUSES, RefusalCode, TERMINAL_STATUSES, type ActionStatus } from '../../domain/types';
import type { Catalogue } from '../../operations/catalogue';
import { bearerAccess, caller, operation } from '../access';
import { actionView, type ViewContext } from '../action-view';
import type { Authenticator } from '../authenticator';
import { hasRole } from '../auth';
import { bindActionId } from '../log-context';
import { longPoll, shutdownSignal } from '../long-poll';
import { ApiError } from '../errors';
import { actionDetail, actionList, actionView as actionViewSchema } from '../response-schemas';
import { actionIdErrors, domainErrors, errorResponses, json } from '../route-responses';
import { actionIdParams, cancelBody, createActionBody, createActionRequest, decisionBody, getActionQuery, idempotencyHeaders, listQuery } from '../schemas';
import { bodyDocumentedAs } from '../zod-validation';

export interface ActionRoutesDeps {
  actions: ActionsPort;
  /** For the document: what each action's `params` must be. */
  catalogue: Catalogue;
  auth: Authenticator;
  view: ViewContext;
  /** Hosts a `callbackUrl` may point at; empty: callbacks refused. */
  callbackAllowedHosts: readonly string[];
}

/** `/v1/actions`: agents request and cancel, reviewers decide, everyone reads what they may see. */
export async function actionRoutes(scope: FastifyInstance, deps: ActionRoutesDeps): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { actions, auth, view } = deps;
  const shutdown = shutdownSignal(app);
  const requester = bearerAccess(auth, ['requester']);
  const reviewer = bearerAccess(auth, ['reviewer']);
  const anyKey = bearerAccess(auth, 'any');
  const createBody = bodyDocumentedAs(createActionBody, createActionRequest(deps.catalogue, deps.callbackAllowedHosts));
  const temporalErrors = domainErrors(DomainErrorCode.TemporalUnavailable);
  const voteOrCancelErrors = domainErrors(DomainErrorCode.WorkerUnavailable, DomainErrorCode.TemporalUnavailable);
  const invalidRequest = domainErrors(DomainErrorCode.InvalidRequest);

  app.post(
    '/v1/actions',
    {
      preValidation: requester.check,
      validatorCompiler: createBody.validatorCompiler,
      schema: {
        ...operation({
          id: 'createAction',
          tag: 'actions',
          summary: 'Request a privileged action',
          description:
            "Starts the action's workflow and answers once policy has decided (status `pending_review`, `denied`, `approved`, `executing` or later). " +
            'If no worker answers within the admission timeout (10 s by default), the answer is still `202`, with status `evaluating`: ' +
            "the request is recorded durably, so poll `GET /v1/actions/{id}`. `params` are checked by the operation's own schema; " +
            '`callbackUrl` must be https (http on loopback only) on a host the operator allows.',
          access: requester,
        }),
        headers: idempotencyHeaders(
          'The same key from the same requester returns the same action and starts no second workflow (the answer then has `Idempotent-Replayed: true`). ' +
            'Reusing it for a different request is `409 idempotency_key_reused`. Takes precedence over `idempotencyKey` in the body.',
        ),
        body: createBody.body,
        response: {
          202: {
            ...json('The action, as policy left it', actionViewSchema),
            headers: {
              Location: { description: 'The action: `/v1/actions/{id}`', schema: { type: 'string' } },
              'Idempotent-Replayed': {
                description: '`true` when an earlier request with the same key created this action',
                schema: { type: 'string', enum: ['true'] },
              },
            },
          },
          ...errorResponses(
            requester.errors,
            domainErrors(DomainErrorCode.InvalidRequest, DomainErrorCode.InvalidParams, DomainErrorCode.UnknownAction),
            { 400: ['invalid_callback_url'] },
            domainErrors(DomainErrorCode.IdempotencyKeyReused),
            temporalErrors,
          ),
        },
      },
    },
    async (request, reply) => {
      const principal = caller(request);
      const body = request.body;
      const idempotencyKey = request.headers['idempotency-key'] ?? body.idempotencyKey;
      // Any callbackUrl sent is checked, an empty one too: it is not a way to leave the field out.
      const callbackProblem = body.callbackUrl !== undefined && callbackUrlProblem(body.callbackUrl, deps.callbackAllowedHosts);
      if (callbackProblem) {
        throw new ApiError(400, 'invalid_callback_url', `callbackUrl ${callbackProblem}`, [{ path: 'body.callbackUrl', message: callbackProblem }]);
      }
      const { state, replayed } = await actions.submit({
        action: body.action,
        params: body.params,
        justification: body.justification,
        ...(body.context ? { context: body.context } : {}),
        requester: { id: principal.id, source: 'api' },
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...(body.callbackUrl ? { callbackUrl: body.callbackUrl } : {}),
        origin: { ip: request.ip, ...(typeof request.headers['user-agent'] === 'string' ? { userAgent: request.headers['user-agent'].slice(0, 256) } : {}) },
      });
      bindActionId(request, reply, state.actionId);
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.header('location', `/v1/actions/${encodeURIComponent(state.actionId)}`);
      return reply.status(202).send(actionView(state, view));
    },
  );

  app.get(
    '/v1/actions',
    {
      preValidation: anyKey.check,
      schema: {
        ...operation({
          id: 'listActions',
          tag: 'actions',
          summary: 'List actions, newest first',
          description:
            'From Temporal visibility, which is eventually consistent: a just-created action can take a moment to appear. ' +
            'A requester sees only its own actions; reviewers, admins and auditors see all.',
          access: anyKey,
        }),
        querystring: listQuery,
        response: { 200: json('The actions', actionList), ...errorResponses(anyKey.errors, invalidRequest, temporalErrors) },
      },
    },
    async (request) => {
      const principal = caller(request);
      // Agents see their own actions; reviewers, admins and auditors see all.
      const ownOnly = !hasRole(principal, 'reviewer', 'admin', 'auditor');
      const items = await actions.list({ ...request.query, ...(ownOnly ? { requester: principal.id } : {}) });
      // Visibility holds the status the workflow wrote, always one of ours; typed as text, so narrowed here.
      return { items: items.map(({ status, ...item }) => ({ ...item, ...(isActionStatus(status) ? { status } : {}) })) };
    },
  );

  app.get(
    '/v1/actions/:id',
    {
      preValidation: anyKey.check,
      schema: {
        ...operation({
          id: 'getAction',
          tag: 'actions',
          summary: 'Read one action',
          description:
            'The full state, from the workflow. When no worker answers in time, what history alone tells (`live: false`, no votes). ' +
            'A requester sees only its own actions: other ids answer `404`, so they do not reveal that an action exists. ' +
            'With `waitSeconds`, a long poll: the answer comes once the action is final (`succeeded`, `failed`, `denied`, `rejected`, `expired` or `cancelled`), ' +
            'or when the seconds have passed, with the status then (still `pending_review`, say); a final action is answered at once.',
          access: anyKey,
        }),
        params: actionIdParams,
        querystring: getActionQuery,
        response: { 200: json('The action', actionDetail), ...errorResponses(anyKey.errors, invalidRequest, actionIdErrors, temporalErrors) },
      },
    },
    async (request, reply) => {
      const principal = caller(request);
      let read = await readVisible(request.params.id, principal.id, hasRole(principal, 'reviewer', 'admin', 'auditor'));
      const { waitSeconds } = request.query;
      if (waitSeconds > 0 && !TERMINAL_STATUSES.includes(read.state.status)) {
        // Waits for the workflow to close, not for the status: the two are moments apart, unless an
        // outcome callback is still being retried (then the wait runs out, with the final status).
        const actionId = read.state.actionId;
        const end = await longPoll(request, reply, waitSeconds, shutdown, (signal) => actions.waitForClose(actionId, signal));
        request.log.debug({ waitSeconds, end }, 'long poll ended');
        // Read again, unless the client has gone: the answer would reach no one.
        if (end === 'done') read = await actions.getClosed(actionId);
        else if (end !== 'disconnected') read = await actions.get(actionId);
      }
      const { state, live } = read;
      // What the worker last reported, if it has the documented shape (it always has: the operations report it).
      const progress = actionDetail.shape.progress.safeParse(state.status === 'executing' ? ((await actions.progress(state.actionId)) ?? null) : null);
      return { ...actionView(state, view), live, progress: progress.success ? progress.data : null };
    },
  );

  app.post(
    '/v1/actions/:id/decisions',
    {
      preValidation: reviewer.check,
      schema: {
        ...operation({
          id: 'decideAction',
          tag: 'actions',
          summary: 'Approve or reject an action',
          description:
            'One rejection ends the request; a quorum of approvals releases it. The workflow refuses a bad vote before anything is written to its history, ' +
            'and the refusal is recorded in the audit trail. A vote answered `503` may still be applied when a worker returns: retry with the same `Idempotency-Key` ' +
            'and it is counted once.',
          access: reviewer,
        }),
        params: actionIdParams,
        headers: idempotencyHeaders('A retried vote with the same key returns the first result and is not counted again.'),
        body: decisionBody,
        response: {
          200: json('The action after the vote', actionViewSchema),
          ...errorResponses(
            reviewer.errors,
            domainErrors(
              DomainErrorCode.InvalidRequest,
              RefusalCode.NotAnApprover,
              RefusalCode.SelfApproval,
              RefusalCode.StepUpRequired,
              RefusalCode.AlreadyVoted,
              RefusalCode.ActionClosed,
              RefusalCode.NotPendingReview,
              DomainErrorCode.AuditUnavailable,
            ),
            voteOrCancelErrors,
            actionIdErrors,
          ),
        },
      },
    },
    async (request) => {
      const principal = caller(request);
      const idempotencyKey = request.headers['idempotency-key'];
      const state = await actions.decide(
        request.params.id,
        {
          reviewer: principal.id,
          verdict: request.body.decision,
          channel: 'api',
          ...(request.body.comment ? { comment: request.body.comment } : {}),
        },
        idempotencyKey ? `api:${principal.id}:${idempotencyKey}` : undefined,
      );
      return actionView(state, view);
    },
  );

  app.post(
    '/v1/actions/:id/cancel',
    {
      preValidation: anyKey.check,
      schema: {
        ...operation({
          id: 'cancelAction',
          tag: 'actions',
          summary: 'Cancel a pending action',
          description:
            'While the action is evaluated or pending review, up to its `deadline`; afterwards `409 not_cancellable`. ' +
            'The requester may cancel its own actions, an admin any. The body may be left out.',
          access: anyKey,
          note: "Access: an API key or token, of the action's requester or with the role `admin`.",
        }),
        params: actionIdParams,
        headers: idempotencyHeaders("A cancel retried with the same key (after a `503`, say) returns the first cancel's result."),
        body: cancelBody,
        response: {
          200: json('The action after the cancel', actionViewSchema),
          ...errorResponses(
            anyKey.errors,
            invalidRequest,
            { 403: ['forbidden'] },
            domainErrors(RefusalCode.NotCancellable),
            voteOrCancelErrors,
            actionIdErrors,
          ),
        },
      },
    },
    async (request) => {
      const principal = caller(request);
      const isAdmin = hasRole(principal, 'admin');
      const { state } = await readVisible(request.params.id, principal.id, hasRole(principal, 'reviewer', 'admin', 'auditor'));
      if (!isAdmin && state.request.requester.id !== principal.id) {
        throw new ApiError(403, 'forbidden', 'only the requester or an admin may cancel an action');
      }
      const idempotencyKey = request.headers['idempotency-key'];
      // Its own prefix: a vote and a cancel sent with the same key are two different requests.
      const updateId = idempotencyKey ? `api-cancel:${principal.id}:${idempotencyKey}` : undefined;
      return actionView(await actions.cancel(state.actionId, principal.id, request.body?.reason, updateId), view);
    },
  );

  function isActionStatus(status: string | undefined): status is ActionStatus {
    return ACTION_STATUSES.includes(status as ActionStatus);
  }

  /** 404 both for unknown ids and for actions the caller may not see, so ids do not leak. */
  async function readVisible(rawId: string, principalId: string, seesAll: boolean): Promise<ActionRead> {
    const read = await actions.get(rawId);
    if (!seesAll && read.state.request.requester.id !== principalId) {
      throw new ActionNotFoundError(rawId);
    }
    return read;
  }
}
