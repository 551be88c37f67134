import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';

/** The `error.code`s a route can answer, by HTTP status. */
export type ErrorCodes = Partial<Record<number, readonly string[]>>;

/**
 * The API's error envelope as response schemas, one per status, for the codes given. The API passes
 * its own in (channels/ sits below it), so a channel's errors are documented as every other route's.
 */
export type ErrorResponses = (codes: ErrorCodes) => Record<number, unknown>;

/**
 * For a channel's inbound route, which checks its input itself and in its own order: the signature
 * or token before anything in the body is believed (a missing signature header is `401`, not
 * `400`). Its schema documents what Slack or Teams sends; Fastify validates nothing against it, and
 * the answers are serialized as they are.
 */
export const CHECKED_BY_THE_ROUTE: { validatorCompiler: FastifySchemaCompiler<unknown>; serializerCompiler: FastifySerializerCompiler<unknown> } = {
  validatorCompiler: () => (data) => ({ value: data }),
  serializerCompiler: () => (data) => JSON.stringify(data),
};
