import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACTION_ID_PATTERN } from '../domain/action-id';

/**
 * Every log line of a request about one action carries `actionId`: routes with `:id` from the
 * start (an `onRequest` hook, so a rate-limit or auth refusal has it too), `POST /v1/actions`
 * once the id is known (`bindActionId`). Only well-formed ids are bound.
 */
export function installActionLogContext(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const id = (request.params as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string' && ACTION_ID_PATTERN.test(id)) bindActionId(request, reply, id);
  });
}

/** Binds `actionId` to the request's and the reply's loggers (Fastify logs "request completed" with the reply's). */
export function bindActionId(request: FastifyRequest, reply: FastifyReply, actionId: string): void {
  const log = request.log.child({ actionId });
  request.log = log;
  reply.log = log;
}
