import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../domain/errors';

// Requests refused below the routes: by Node's HTTP parser, by Fastify's router, or for an
// `Expect` header. Fastify and Node answer these with bodies of their own shape (or none); these
// handlers give them the API's `{ error: { code, message } }` like every other error.

/** Fastify's router refusals: a URL that does not decode, a path parameter over the length limit. */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known = ROUTER_CODES[err.code];
  if (!known) request.log.error({ err }, 'unexpected framework error');
  const { status, code } = known ?? { status: 500, code: 'internal' };
  void reply.status(status).send(errorBody(code, known ? err.message : 'internal error'));
}

const ROUTER_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'url_too_long' },
};

/**
 * Node's HTTP parser refusals (headers over `maxHeaderSize`, a malformed request line or header,
 * a request too slow to arrive). There is no request object yet: the answer is written on the
 * socket, and the connection closed, saying so, so a keep-alive client does not reuse it.
 */
export function clientErrorHandler(this: FastifyInstance, err: ConnectionError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, reason, code, message } =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? { status: 431, reason: 'Request Header Fields Too Large', code: 'headers_too_large', message: 'request headers exceed the size limit' }
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? { status: 408, reason: 'Request Timeout', code: 'request_timeout', message: 'the request did not arrive in time' }
        : { status: 400, reason: 'Bad Request', code: 'malformed_request', message: 'malformed HTTP request' };
  this.log.debug({ code: err.code }, 'refused malformed HTTP request');
  if (socket.writable) {
    const body = JSON.stringify(errorBody(code, message));
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * An `Expect` header other than `100-continue`: Node would answer a bare 417. The API supports no
 * expectation, so the 417 stands, with a body.
 */
export function refuseExpectations(server: Server): void {
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.stringify(errorBody('expectation_failed', 'the Expect header is not supported'));
    response.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    response.end(body);
  });
}

function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
