import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Catalogue } from '../../operations/catalogue';
import { buildOpenApiDocument, serializeDocument } from '../openapi/build-document';
import { docsPage } from '../openapi/docs-page';

/**
 * `GET /openapi.json` and `GET /docs`: the API's own description, for the catalogue it runs with.
 * No API key (a client needs it before it has one); built once at start, so cheap to serve and to cache.
 */
export async function openApiRoutes(app: FastifyInstance, deps: { catalogue: Catalogue }): Promise<void> {
  const document = buildOpenApiDocument(deps.catalogue);
  serveFixed(app, '/openapi.json', 'application/json; charset=utf-8', serializeDocument(document));
  // Scripts and outside fetches refused outright: the page is plain generated HTML with inline styles.
  serveFixed(app, '/docs', 'text/html; charset=utf-8', docsPage(document), { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
}

/** A body that never changes while the process runs: an ETag, and `304` for a client that has it. */
function serveFixed(app: FastifyInstance, url: string, type: string, body: string, headers: Record<string, string> = {}): void {
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  app.get(url, async (request, reply) => {
    reply.headers({ ...headers, 'cache-control': 'public, max-age=300', etag });
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.status(304).send();
    return reply.type(type).send(body);
  });
}

/** `If-None-Match` is `*` or a list of tags, each possibly weak (`W/"…"`); weak comparison is right for GET. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}
