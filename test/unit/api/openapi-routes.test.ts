import type * as FastifyModule from 'fastify';
import type { FastifyInstance } from 'fastify';
import { ApiMetrics } from '../../../api/metrics';
import { buildOpenApiDocument, serializeDocument } from '../../../api/openapi/build-document';
import type { OperationObject } from '../../../api/openapi/types';
import { buildApi } from '../../../api/server';
import { generateApiKey, hashApiKey, PrincipalDirectory, type PrincipalRole } from '../../../config/principals';
import { defaultCatalogue } from '../../../operations/catalogue';
import { describeErrors, DocumentSchemas, unusedAudit, unusedClient } from './openapi-support';
import { testSigner } from '../../support/identity-keys';

const mockRegistered: { method: string; url: string }[] = [];

// buildApi has registered every route by the time it returns, so a hook that sees them must be on
// the instance from its creation: the factory is wrapped to add one.
jest.mock('fastify', () => {
  const actual = jest.requireActual<typeof FastifyModule>('fastify');
  const create = actual.default as unknown as (...args: unknown[]) => FastifyInstance;
  const withRouteLog = (...args: unknown[]): FastifyInstance => {
    const app = create(...args);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) mockRegistered.push({ method, url: route.url });
    });
    return app;
  };
  return { ...actual, __esModule: true, default: withRouteLog };
});

const ID = 'action-s3.copyObject-aaaaaaaaaaaaaaaa';

/** The built API against its document: the same routes both ways, the document served, and errors as documented. */
describe('OpenAPI document and the API', () => {
  const document = buildOpenApiDocument(defaultCatalogue());
  const schemas = new DocumentSchemas(document);
  const keys: Partial<Record<PrincipalRole, string>> = {};
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    const principals = (['requester', 'reviewer', 'auditor'] as const).map((role) => {
      keys[role] = generateApiKey();
      return { id: `test-${role}`, roles: [role], keySha256: hashApiKey(keys[role]) };
    });
    // Every optional part switched on, so that every route the API can have is registered.
    app = await buildApi({
      client: unusedClient,
      catalogue: defaultCatalogue(),
      principals: new PrincipalDirectory(principals),
      taskQueue: 'openapi-test',
      audit: unusedAudit,
      identity: testSigner(),
      logLevel: 'silent',
      policy: () => {
        throw new Error('no request in these tests reaches the policy');
      },
      slack: { signingSecret: 'openapi-test-signing-secret' },
      teams: { appId: 'openapi-test-app', jwksUrl: new URL('http://127.0.0.1:1/keys') },
      metrics: new ApiMetrics({ actions: defaultCatalogue().names(), processMetrics: false }),
      codec: { codec: { encode: async (payloads) => payloads, decode: async (payloads) => payloads }, corsOrigins: [] },
    });
    // Over HTTP, as the project's unit tests do: `inject` cannot load in Jest (light-my-request requires the ESM-only `cookie`).
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('documents every route the API registers, and no route it does not', () => {
    const registered = new Set(mockRegistered.map((route) => `${route.method} ${openApiPath(route.url)}`));
    // Fastify adds a HEAD route for every GET by itself; HEAD answers as GET does, without a body.
    for (const route of [...registered]) {
      if (route.startsWith('HEAD ') && registered.has(`GET ${route.slice(5)}`)) registered.delete(route);
    }
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect([...registered].sort()).toEqual(documented.sort());
  });

  it('serves the generated document at /openapi.json without an API key, cacheably', async () => {
    const response = await send({ method: 'GET', url: '/openapi.json' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toBe(serializeDocument(document));
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const etag = String(response.headers.get('etag'));
    const again = await send({ method: 'GET', url: '/openapi.json', headers: { 'if-none-match': `W/"other", ${etag}` } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves /docs as one self-contained page listing every operation', async () => {
    const response = await send({ method: 'GET', url: '/docs' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.body).not.toMatch(/<script|<link|<img|src=|@import/i);
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item)) expect(response.body).toContain(`id="${operation.operationId}"`);
    }
  });

  // Requests refused before anything reaches Temporal, the audit store or Slack: each answer's status must be
  // one the document lists for its route, and its body must match that response's schema (its `code` included).
  const refusals: { name: string; route: [string, string]; request: () => TestRequest; status: number }[] = [
    { name: 'no API key', route: ['post', '/v1/actions'], request: () => ({ method: 'POST', url: '/v1/actions', payload: {} }), status: 401 },
    { name: 'a reviewer asks', route: ['post', '/v1/actions'], request: () => as('reviewer', 'POST', '/v1/actions', validRequest()), status: 403 },
    { name: 'a short justification', route: ['post', '/v1/actions'], request: () => as('requester', 'POST', '/v1/actions', { ...validRequest(), justification: 'short' }), status: 400 },
    { name: 'an unknown action', route: ['post', '/v1/actions'], request: () => as('requester', 'POST', '/v1/actions', { ...validRequest(), action: 's3.deleteBucket' }), status: 400 },
    { name: 'params of the wrong type', route: ['post', '/v1/actions'], request: () => as('requester', 'POST', '/v1/actions', { ...validRequest(), params: { sourceBucket: 7 } }), status: 400 },
    { name: 'a callback host not allowed', route: ['post', '/v1/actions'], request: () => as('requester', 'POST', '/v1/actions', { ...validRequest(), callbackUrl: 'https://example.com/hook' }), status: 400 },
    { name: 'invalid JSON', route: ['post', '/v1/actions'], request: () => ({ ...as('requester', 'POST', '/v1/actions'), payload: '{', headers: { ...authorization('requester'), 'content-type': 'application/json' } }), status: 400 },
    { name: 'a form body', route: ['post', '/v1/actions'], request: () => ({ ...as('requester', 'POST', '/v1/actions'), payload: 'a=1', headers: { ...authorization('requester'), 'content-type': 'application/x-www-form-urlencoded' } }), status: 415 },
    { name: 'a bad list limit', route: ['get', '/v1/actions'], request: () => as('reviewer', 'GET', '/v1/actions?limit=0'), status: 400 },
    { name: 'an id that is no action id', route: ['get', '/v1/actions/{id}'], request: () => as('reviewer', 'GET', '/v1/actions/nope'), status: 404 },
    { name: 'a vote without a decision', route: ['post', '/v1/actions/{id}/decisions'], request: () => as('reviewer', 'POST', `/v1/actions/${ID}/decisions`, { comment: 'ok' }), status: 400 },
    { name: 'a requester votes', route: ['post', '/v1/actions/{id}/decisions'], request: () => as('requester', 'POST', `/v1/actions/${ID}/decisions`, { decision: 'approve' }), status: 403 },
    { name: 'a lineage nobody has', route: ['get', '/v1/actions/{id}/lineage'], request: () => as('auditor', 'GET', '/v1/actions/nope/lineage'), status: 404 },
    { name: 'a bad audit time', route: ['get', '/v1/audit'], request: () => as('auditor', 'GET', '/v1/audit?from=yesterday'), status: 400 },
    { name: 'a requester exports the audit', route: ['get', '/v1/audit'], request: () => as('requester', 'GET', '/v1/audit'), status: 403 },
    { name: 'an unsigned Slack post', route: ['post', '/slack/interactions'], request: () => ({ method: 'POST', url: '/slack/interactions', payload: 'payload=%7B%7D', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), status: 401 },
    { name: 'a Teams post without a token', route: ['post', '/teams/messages'], request: () => ({ method: 'POST', url: '/teams/messages', payload: '{"type":"message"}', headers: { 'content-type': 'application/json' } }), status: 401 },
  ];

  it.each(refusals)('answers $name with a documented $status', async ({ route, request, status }) => {
    const response = await send(request());
    expect(response.status).toBe(status);
    expectDocumented(route, response);
  });

  function expectDocumented([method, path]: [string, string], response: TestResponse): void {
    const operation = (document.paths[path] as Record<string, OperationObject> | undefined)?.[method];
    if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
    const documented = operation.responses[String(response.status)];
    if (!documented) throw new Error(`${method.toUpperCase()} ${path} does not document ${response.status}; it lists ${Object.keys(operation.responses).join(', ')}`);
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${response.status} documents no JSON body`);
    const validate = schemas.inline(schema);
    const body = JSON.parse(response.body) as unknown;
    expect([body, describeErrors(validate(body) ? [] : validate.errors)]).toEqual([body, '']);
  }

  function authorization(role: PrincipalRole): Record<string, string> {
    return { authorization: `Bearer ${keys[role] ?? ''}` };
  }

  function as(role: PrincipalRole, method: 'GET' | 'POST', url: string, payload?: object): TestRequest {
    return { method, url, headers: authorization(role), ...(payload ? { payload } : {}) };
  }

  async function send(request: TestRequest): Promise<TestResponse> {
    const json = typeof request.payload === 'object';
    const response = await fetch(`${baseUrl}${request.url}`, {
      method: request.method,
      headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...request.headers },
      ...(request.payload === undefined ? {} : { body: json ? JSON.stringify(request.payload) : String(request.payload) }),
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }
});

interface TestRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is, with the `content-type` in `headers`. */
  payload?: object | string;
}

interface TestResponse {
  status: number;
  headers: Headers;
  body: string;
}

function validRequest(): Record<string, unknown> {
  return {
    action: 's3.copyObject',
    params: { sourceBucket: 'airlock-source', sourceKey: 'a.csv', destinationBucket: 'airlock-exports', destinationKey: 'b.csv' },
    justification: 'Finance needs the report for the board',
  };
}

/** Fastify's `/v1/actions/:id` is OpenAPI's `/v1/actions/{id}`. */
function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}
