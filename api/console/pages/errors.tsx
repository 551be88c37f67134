import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors';
import { ErrorPage } from '../views/error-page';
import { pageHtml } from '../views/render';

/** A browser asks for pages; fetch, EventSource and API clients do not, and keep the JSON error. */
function wantsHtml(request: FastifyRequest): boolean {
  return request.headers.accept?.includes('text/html') ?? false;
}

/** `{ error: { code, message } }`, the API's error body, when `payload` is one. */
function errorBody(payload: string): { code: string; message: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(payload);
    if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return undefined;
    const { error } = parsed;
    if (typeof error !== 'object' || error === null || !('code' in error) || !('message' in error)) return undefined;
    return typeof error.code === 'string' && typeof error.message === 'string' ? { code: error.code, message: error.message } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Errors in the console as pages. The API's central error handler still decides every status, code
 * and message (and logs), so they stay what `/v1` answers; for a browser (Accept: text/html) its JSON
 * body is then written as a page instead, with the same status. Unknown paths under /console get
 * the same, through a not-found handler in the console's scope (its headers, its CSP).
 */
export async function consoleErrorPages(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string' || !wantsHtml(request)) return payload;
    if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return payload;
    const body = errorBody(payload);
    if (!body) return payload;
    const session = request.consoleSession;
    reply.type('text/html; charset=utf-8');
    return pageHtml(
      <ErrorPage
        status={reply.statusCode}
        code={body.code}
        message={body.message}
        person={session ? { identity: session.identity, email: session.email, roles: session.roles } : undefined}
      />,
    );
  });

  await app.register(
    async (scope) => {
      scope.setNotFoundHandler(async (request) => {
        // Thrown, not sent: the API's handler answers it (405 where the path has other methods).
        throw new ApiError(404, 'not_found', `There is no page at ${request.url.split('?')[0] ?? ''}.`);
      });
    },
    { prefix: '/console' },
  );
}
