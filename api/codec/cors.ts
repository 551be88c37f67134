import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';

/** Headers the Temporal UI sends to a codec server (X-Namespace always; Authorization and its extras when it passes its token). */
const ALLOWED_HEADERS = 'content-type, x-namespace, authorization, authorization-extras';

/**
 * CORS for the codec endpoint: only the configured UI origins, with credentials (the session
 * cookie). A request from any other origin is refused before it is read, not merely left
 * unreadable by the browser, so a page elsewhere cannot spend an operator's session.
 */
export function applyCors(request: FastifyRequest, reply: FastifyReply, allowedOrigins: readonly string[]): void {
  const origin = request.headers.origin;
  if (origin === undefined) return; // not a browser's cross-origin call (CLI, scripts)
  if (isSameOrigin(request, origin)) return; // our own sign-in form: browsers send Origin on every form POST
  if (!allowedOrigins.includes(origin)) {
    throw new ApiError(403, 'origin_not_allowed', `origin ${origin} may not call the codec endpoint (AIRLOCK_CODEC_CORS_ORIGINS)`);
  }
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
  reply.header('vary', 'Origin');
}

/** The preflight answer for an allowed origin (applyCors has already refused the others). */
export function answerPreflight(reply: FastifyReply): FastifyReply {
  return reply
    .header('access-control-allow-methods', 'POST, OPTIONS')
    .header('access-control-allow-headers', ALLOWED_HEADERS)
    .header('access-control-max-age', '600')
    .status(204)
    .send();
}

/**
 * A request from a page the API itself served (/codec/login posting its form). Sec-Fetch-Site is
 * set by the browser and cannot be set by a page's script; the Origin comparison covers browsers
 * without it. The UI, on another port, is `same-site`, not `same-origin`, so it still needs CORS.
 */
function isSameOrigin(request: FastifyRequest, origin: string): boolean {
  return request.headers['sec-fetch-site'] === 'same-origin' || origin === `${request.protocol}://${request.host}`;
}
