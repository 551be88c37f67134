import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, TemporalUnavailableError, type ErrorBody, type InputIssue } from '../domain/errors';
import { AllowedMethods } from './allowed-methods';
import { httpErrorOf } from './domain-error-http';
import { isTemporalUnreachable } from './temporal-reachable';

/**
 * A refusal only the HTTP edge knows: authentication, roles, rate limits, body and URL problems,
 * the codec's own checks. What acting on an action can fail with is a DomainError instead
 * (domain/errors.ts), given its status in one place (domain-error-http.ts).
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: InputIssue[],
  ) {
    super(message);
  }
}

/** Fastify's own client errors, given stable codes of ours. */
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
  // The console's CSRF check (@fastify/csrf-protection): a state change without this session's token.
  FST_CSRF_INVALID_TOKEN: { status: 403, code: 'csrf_token_invalid' },
  FST_CSRF_MISSING_SECRET: { status: 403, code: 'csrf_token_invalid' },
};

/**
 * One error handler: every error becomes `{ error: { code, message } }`; 5xx bodies reveal nothing
 * internal. Call before the routes: a path that exists answers another method with `405`, not `404`.
 */
export function installErrorHandling(app: FastifyInstance): void {
  const allowed = new AllowedMethods(app);
  app.setErrorHandler((err: FastifyError | ApiError | DomainError, request, reply) => {
    // No route has this method and path, so whatever went wrong on the way (a QUERY without a
    // Content-Type, say) is not the answer: the method is.
    if (request.is404 && allowed.of(request.url).length > 0) return methodNotAllowed(request, reply, allowed);
    if (err instanceof DomainError) {
      const { status, body } = httpErrorOf(err);
      logRefusal(request, status, body.error.code);
      // Found by the core from a transport failure: logged as when one reaches here unmapped, below.
      if (err instanceof TemporalUnavailableError && err.cause !== undefined) logTemporalUnreachable(request);
      return reply.status(status).send(body);
    }
    if (err instanceof ApiError) {
      logRefusal(request, err.statusCode, err.code);
      return reply.status(err.statusCode).send(apiErrorBody(err));
    }
    if (isTemporalUnreachable(err)) {
      logTemporalUnreachable(request);
      const { status, body } = httpErrorOf(new TemporalUnavailableError());
      return reply.status(status).send(body);
    }
    const known = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (known) {
      logRefusal(request, known.status, known.code);
      return reply.status(known.status).send({ error: { code: known.code, message: err.message } });
    }
    if (err instanceof SyntaxError || err.statusCode === 400) {
      return reply.status(400).send({ error: { code: 'bad_request', message: err.message } });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: { code: 'bad_request', message: err.message } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
  app.setNotFoundHandler((request, reply) => {
    if (allowed.of(request.url).length > 0) return methodNotAllowed(request, reply, allowed);
    return reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url}` } });
  });
}

/** `405` with the methods the path has in `Allow`, as HTTP asks. */
function methodNotAllowed(request: FastifyRequest, reply: FastifyReply, allowed: AllowedMethods): FastifyReply {
  const methods = allowed.of(request.url).join(', ');
  return reply
    .status(405)
    .header('allow', methods)
    .send({ error: { code: 'method_not_allowed', message: `${request.method} is not allowed here; allowed: ${methods}` } });
}

/** Who was turned away (unauthenticated, forbidden, not an approver) goes to the log. */
function logRefusal(request: FastifyRequest, status: number, code: string): void {
  if (status === 401 || status === 403) request.log.warn({ code, url: request.url, method: request.method }, 'refused request');
}

function logTemporalUnreachable(request: FastifyRequest): void {
  request.log.warn({ url: request.url, method: request.method }, 'Temporal unreachable');
}

function apiErrorBody(err: ApiError): ErrorBody {
  return { error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) } };
}
