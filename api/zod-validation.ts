import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';
import { ActionNotFoundError } from '../domain/errors';
import { validationError } from './validation';

/** Where an issue is, as `error.issues[].path` names it: `body.params`, `query.waitSeconds`, `headers.idempotency-key`. */
const WHERE: Record<string, string> = { body: 'body', querystring: 'query', headers: 'headers' };

/** Validates with the zod schema a route declares for `httpPart`. */
function zodValidator(schema: unknown, httpPart: string | undefined) {
  if (!(schema instanceof z.ZodType)) throw new Error(`the ${httpPart ?? 'request'} schema of a route is not a zod schema`);
  return (data: unknown) => {
    if (httpPart === 'params') {
      // Every path parameter of this API is an action id: one that cannot be an id names no action,
      // and answers 404 as an unknown one does (so the answer never tells which ids could exist).
      const parsed = schema.safeParse(data);
      if (parsed.success) return { value: parsed.data };
      const id = (data as { id?: unknown } | null)?.id;
      return { error: new ActionNotFoundError(String(id)) };
    }
    // Fastify hands a missing body over as `null`: the schema decides whether a body may be left out.
    const parsed = schema.safeParse(httpPart === 'body' && data === null ? undefined : data);
    if (parsed.success) return { value: parsed.data };
    return { error: validationError(parsed.error, WHERE[httpPart ?? ''] ?? httpPart ?? 'request') };
  };
}

/** The API's validator: zod, its refusals in the API's error format (`400 invalid_request` with every issue). */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => zodValidator(schema, httpPart);

/**
 * For a route whose body is documented by a stricter schema than Fastify checks: `validated` here,
 * the rest by the handler's callee with its own error codes (`POST /v1/actions`: the operation's
 * params are `invalid_params`, an unknown action `unknown_action`). A test holds the two together.
 * The route's body type is the validated one, so the cast below only changes what is documented.
 */
export function bodyDocumentedAs<T extends z.ZodType>(validated: T, documented: z.ZodType): { body: T; validatorCompiler: FastifySchemaCompiler<unknown> } {
  return {
    body: documented as unknown as T,
    validatorCompiler: ({ schema, httpPart }) => zodValidator(httpPart === 'body' ? validated : schema, httpPart),
  };
}

/**
 * Validation and serialization for the whole API. Responses are serialized as they are, not checked
 * against their declared schemas on the way out: the handlers' types already are those schemas (the
 * type provider), tests and schemathesis check the bodies, and an unforeseen field in an old
 * action's recorded state must not turn a read into a 500.
 */
export function installZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
