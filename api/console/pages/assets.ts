import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors';

/** The console's own files, and their types: nothing else is served, whatever the path asks for. */
const ASSETS: Record<string, string> = {
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
};

/**
 * Where the assets are: api/console/assets of the project, as in the source tree. tsc copies no
 * CSS or JS into dist/, so from dist/ (and in the image, which copies the folder) the project
 * root, the folder holding package.json, is found first.
 */
export function assetsDirectory(start = __dirname): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`console assets: no package.json above ${start}`);
    dir = parent;
  }
  return join(dir, 'api', 'console', 'assets');
}

/**
 * `GET /console/assets/:name`: the stylesheet and the script, from the console's own origin, as the
 * CSP demands (`script-src 'self'; style-src 'self'`). Read once at start: a missing file stops
 * the API then, not a page later. Revalidated on each use (ETag), never kept stale.
 */
export async function consoleAssets(app: FastifyInstance, directory = assetsDirectory()): Promise<void> {
  const files = new Map(
    Object.entries(ASSETS).map(([name, type]) => {
      const body = readFileSync(join(directory, name));
      return [name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }] as const;
    }),
  );
  app.get<{ Params: { name: string } }>('/console/assets/:name', async (request, reply) => {
    const file = files.get(request.params.name);
    if (!file) throw new ApiError(404, 'not_found', `There is no asset ${request.params.name}.`);
    reply.header('cache-control', 'no-cache').header('etag', file.etag);
    if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
    return reply.type(file.type).send(file.body);
  });
}
