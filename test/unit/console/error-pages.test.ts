import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { ActionNotFoundError } from '../../../domain/errors';
import { ApiError, installErrorHandling } from '../../../api/errors';
import { assetsDirectory, consoleAssets } from '../../../api/console/pages/assets';
import { consoleErrorPages } from '../../../api/console/pages/errors';

/** The API's error handling with a console-like scope inside: its error pages, assets and a few failing routes. */
async function app(assets: string): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  installErrorHandling(server);
  await server.register(async (scope) => {
    await consoleErrorPages(scope);
    await consoleAssets(scope, assets);
    scope.get('/console/forbidden', async () => {
      throw new ApiError(403, 'forbidden', 'the audit pages are for auditors only');
    });
    scope.get('/console/missing', async () => {
      throw new ActionNotFoundError('action-x-aaaaaaaaaaaaaaaa');
    });
    scope.get('/console/boom', async () => {
      throw new Error('secret internals');
    });
    scope.post('/console/only-post', async () => 'ok');
  });
  return server;
}

describe('console error pages', () => {
  let server: FastifyInstance;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-assets-'));
    writeFileSync(join(dir, 'console.css'), 'main { color: black; }');
    writeFileSync(join(dir, 'console.js'), "'use strict';");
    server = await app(dir);
  });
  afterAll(async () => {
    await server.close();
  });

  const html = { accept: 'text/html,application/xhtml+xml' };

  it('answers a browser with a page that keeps the status and names the code', async () => {
    const forbidden = await server.inject({ url: '/console/forbidden', headers: html });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(forbidden.body).toMatch(/^<!doctype html>/);
    expect(forbidden.body).toContain('403 forbidden');
    expect(forbidden.body).toContain('the audit pages are for auditors only');
    expect((await server.inject({ url: '/console/missing', headers: html })).statusCode).toBe(404);

    const boom = await server.inject({ url: '/console/boom', headers: html });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).toContain('500 internal');
    expect(boom.body).not.toContain('secret internals');
  });

  it('keeps the JSON error for every other caller', async () => {
    const forbidden = await server.inject({ url: '/console/forbidden', headers: { accept: 'application/json' } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual({ error: { code: 'forbidden', message: 'the audit pages are for auditors only' } });
    expect((await server.inject({ url: '/console/missing' })).json()).toMatchObject({ error: { code: 'action_not_found' } });
  });

  it('answers unknown console paths 404, and other methods of a known one 405, as pages for browsers', async () => {
    const unknown = await server.inject({ url: '/console/nowhere?<i>x</i>', headers: html });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('There is no page at /console/nowhere.');
    expect((await server.inject({ url: '/console/nowhere' })).json()).toMatchObject({ error: { code: 'not_found' } });
    const wrongMethod = await server.inject({ url: '/console/only-post', headers: html });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.body).toContain('405 method_not_allowed');
    // Outside /console the API's own answer stands.
    expect((await server.inject({ url: '/elsewhere', headers: html })).headers['content-type']).toMatch(/^application\/json/);
  });

  it('serves only the two assets, with their types, revalidated by ETag', async () => {
    const css = await server.inject({ url: '/console/assets/console.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('no-cache');
    expect(css.body).toBe('main { color: black; }');
    const again = await server.inject({ url: '/console/assets/console.css', headers: { 'if-none-match': String(css.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect((await server.inject({ url: '/console/assets/console.js' })).headers['content-type']).toBe('text/javascript; charset=utf-8');
    for (const url of ['/console/assets/constructor', '/console/assets/..%2F..%2Fpackage.json', '/console/assets/plugin.ts']) {
      expect((await server.inject({ url })).statusCode).toBe(404);
    }
  });

  it('finds the assets in the project’s source folder, from the source tree and from dist/ alike', () => {
    const root = join(__dirname, '..', '..', '..');
    expect(assetsDirectory(join(root, 'api', 'console', 'pages'))).toBe(join(root, 'api', 'console', 'assets'));
    expect(assetsDirectory(join(root, 'dist', 'api', 'console', 'pages'))).toBe(join(root, 'api', 'console', 'assets'));
  });
});
