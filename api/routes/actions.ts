import type { FastifyInstance } from 'fastify';
import { callbackUrlProblem } from '../../channels/callback/callback-url';
import type { PrincipalDirectory } from '../../config/principals';
import { ACTION_ID_PATTERN } from '../../domain/action-id';
import type { ActionRead, ActionsPort } from '../../domain/actions-port';
import { ActionNotFoundError } from '../../domain/errors';
import { TERMINAL_STATUSES } from '../../domain/types';
import { actionView, type ViewContext } from '../action-view';
import { authenticate, hasRole, requireRole } from '../auth';
import { bindActionId } from '../log-context';
import { longPoll, shutdownSignal } from '../long-poll';
import { ApiError } from '../errors';
import { validationError } from '../validation';
import { cancelBody, createActionBody, decisionBody, getActionQuery, idempotencyKeyHeader, listQuery } from '../schemas';

export interface ActionRoutesDeps {
  actions: ActionsPort;
  principals: PrincipalDirectory;
  view: ViewContext;
  /** Hosts a `callbackUrl` may point at; empty: callbacks refused. */
  callbackAllowedHosts: readonly string[];
}

/** `/v1/actions`: agents request and cancel, reviewers decide, everyone reads what they may see. */
export async function actionRoutes(app: FastifyInstance, deps: ActionRoutesDeps): Promise<void> {
  const { actions, principals, view } = deps;
  const shutdown = shutdownSignal(app);

  app.post('/v1/actions', async (request, reply) => {
    const principal = authenticate(principals, request);
    requireRole(principal, 'requester');
    const body = createActionBody.safeParse(request.body ?? {});
    if (!body.success) throw validationError(body.error, 'body');
    const idempotencyKey = readIdempotencyKey(request.headers['idempotency-key']) ?? body.data.idempotencyKey;
    const callbackProblem = body.data.callbackUrl && callbackUrlProblem(body.data.callbackUrl, deps.callbackAllowedHosts);
    if (callbackProblem) {
      throw new ApiError(400, 'invalid_callback_url', `callbackUrl ${callbackProblem}`, [{ path: 'body.callbackUrl', message: callbackProblem }]);
    }
    const { state, replayed } = await actions.submit({
      action: body.data.action,
      params: body.data.params,
      justification: body.data.justification,
      ...(body.data.context ? { context: body.data.context } : {}),
      requester: { id: principal.id, source: 'api' },
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(body.data.callbackUrl ? { callbackUrl: body.data.callbackUrl } : {}),
      origin: { ip: request.ip, ...(typeof request.headers['user-agent'] === 'string' ? { userAgent: request.headers['user-agent'].slice(0, 256) } : {}) },
    });
    bindActionId(request, reply, state.actionId);
    if (replayed) reply.header('idempotent-replayed', 'true');
    reply.header('location', `/v1/actions/${encodeURIComponent(state.actionId)}`);
    return reply.status(202).send(actionView(state, view));
  });

  app.get('/v1/actions', async (request) => {
    const principal = authenticate(principals, request);
    const query = listQuery.safeParse(request.query ?? {});
    if (!query.success) throw validationError(query.error, 'query');
    // Agents see their own actions; reviewers, admins and auditors see all.
    const ownOnly = !hasRole(principal, 'reviewer', 'admin', 'auditor');
    const items = await actions.list({ ...query.data, ...(ownOnly ? { requester: principal.id } : {}) });
    return { items };
  });

  app.get<{ Params: { id: string } }>('/v1/actions/:id', async (request, reply) => {
    const principal = authenticate(principals, request);
    const query = getActionQuery.safeParse(request.query ?? {});
    if (!query.success) throw validationError(query.error, 'query');
    let read = await readVisible(request.params.id, principal.id, hasRole(principal, 'reviewer', 'admin', 'auditor'));
    const { waitSeconds } = query.data;
    if (waitSeconds > 0 && !TERMINAL_STATUSES.includes(read.state.status)) {
      // Waits for the workflow to close, not for the status: the two are moments apart, unless an
      // outcome callback is still being retried (then the wait runs out, with the final status).
      const actionId = read.state.actionId;
      const end = await longPoll(request, reply, waitSeconds, shutdown, (signal) => actions.waitForClose(actionId, signal));
      request.log.debug({ waitSeconds, end }, 'long poll ended');
      // Read again, unless the client has gone: the answer would reach no one.
      if (end !== 'disconnected') read = await actions.get(actionId);
    }
    const { state, live } = read;
    const progress = state.status === 'executing' ? await actions.progress(state.actionId) : undefined;
    return { ...actionView(state, view), live, progress: progress ?? null };
  });

  app.post<{ Params: { id: string } }>('/v1/actions/:id/decisions', async (request) => {
    const principal = authenticate(principals, request);
    requireRole(principal, 'reviewer');
    const id = checkedId(request.params.id);
    const body = decisionBody.safeParse(request.body ?? {});
    if (!body.success) throw validationError(body.error, 'body');
    const idempotencyKey = readIdempotencyKey(request.headers['idempotency-key']);
    const state = await actions.decide(
      id,
      {
        reviewer: principal.id,
        verdict: body.data.decision,
        channel: 'api',
        ...(body.data.comment ? { comment: body.data.comment } : {}),
      },
      idempotencyKey ? `api:${principal.id}:${idempotencyKey}` : undefined,
    );
    return actionView(state, view);
  });

  app.post<{ Params: { id: string } }>('/v1/actions/:id/cancel', async (request) => {
    const principal = authenticate(principals, request);
    const isAdmin = hasRole(principal, 'admin');
    const { state } = await readVisible(request.params.id, principal.id, hasRole(principal, 'reviewer', 'admin', 'auditor'));
    if (!isAdmin && state.request.requester.id !== principal.id) {
      throw new ApiError(403, 'forbidden', 'only the requester or an admin may cancel an action');
    }
    const body = cancelBody.safeParse(request.body ?? {});
    if (!body.success) throw validationError(body.error, 'body');
    const idempotencyKey = readIdempotencyKey(request.headers['idempotency-key']);
    // Its own prefix: a vote and a cancel sent with the same key are two different requests.
    const updateId = idempotencyKey ? `api-cancel:${principal.id}:${idempotencyKey}` : undefined;
    return actionView(await actions.cancel(state.actionId, principal.id, body.data.reason, updateId), view);
  });

  /** 404 both for unknown ids and for actions the caller may not see, so ids do not leak. */
  async function readVisible(rawId: string, principalId: string, seesAll: boolean): Promise<ActionRead> {
    const read = await actions.get(checkedId(rawId));
    if (!seesAll && read.state.request.requester.id !== principalId) {
      throw new ActionNotFoundError(rawId);
    }
    return read;
  }
}

function checkedId(id: string): string {
  if (!ACTION_ID_PATTERN.test(id)) throw new ActionNotFoundError(id);
  return id;
}

function readIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = idempotencyKeyHeader.safeParse(Array.isArray(header) ? header.join(',') : header);
  if (!parsed.success) throw validationError(parsed.error, 'headers.idempotency-key');
  return parsed.data;
}
