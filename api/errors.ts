import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { isTemporalUnreachable } from './temporal-reachable';

export interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

/** An error the client caused or must know about; `code` is stable and machine-readable. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** Temporal could not be reached: nothing the caller asked for can be known to have happened. */
export function temporalUnavailable(): ApiError {
  return new ApiError(503, 'temporal_unavailable', 'Temporal could not be reached; retry (with the same Idempotency-Key)');
}

/** A 400 listing every zod issue with its path, so the caller can fix all of them at once. */
export function validationError(error: z.ZodError, where: string, code = 'invalid_request'): ApiError {
  const issues = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return new ApiError(400, code, summary, issues);
}

/** Fastify's own client errors, given stable codes of ours. */
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
};

/** One error handler: every error becomes `{ error: { code, message } }`; 5xx bodies reveal nothing internal. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      if (err.statusCode === 401 || err.statusCode === 403) {
        request.log.warn({ code: err.code, url: request.url, method: request.method }, 'refused request');
      }
      return reply.status(err.statusCode).send(errorBody(err));
    }
    if (isTemporalUnreachable(err)) {
      request.log.warn({ url: request.url, method: request.method }, 'Temporal unreachable');
      return reply.status(503).send(errorBody(temporalUnavailable()));
    }
    const known = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (known) return reply.status(known.status).send({ error: { code: known.code, message: err.message } });
    if (err instanceof SyntaxError || err.statusCode === 400) {
      return reply.status(400).send({ error: { code: 'bad_request', message: err.message } });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: { code: 'bad_request', message: err.message } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url}` } }),
  );
}

function errorBody(err: ApiError): ErrorBody {
  return { error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) } };
}
