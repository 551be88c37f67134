import type * as FastifyModule from 'fastify';
import type { FastifyInstance } from 'fastify';
import { ApiMetrics } from '../../../api/metrics';
import { serializeDocument } from '../../../api/openapi';
import { buildApi } from '../../../api/server';
import { generateApiKey, hashApiKey, PrincipalDirectory, type PrincipalRole } from '../../../config/principals';
import { defaultCatalogue } from '../../../operations/catalogue';
import { describeErrors, DocumentSchemas, everyFeature, unusedAudit, unusedClient, type OpenApiDocument } from './openapi-support';
import { testSigner } from '../../support/identity-keys';

const mockRegistered: { method: string; url: string; hidden: boolean }[] = [];

// buildApi has registered every route by the time it returns, so a hook that sees them must be on
// the instance from its creation: the factory is wrapped to add one.
jest.mock('fastify', () => {
  const actual = jest.requireActual<typeof FastifyModule>('fastify');
  const create = actual.default as unknown as (...args: unknown[]) => FastifyInstance;
  const withRouteLog = (...args: unknown[]): FastifyInstance => {
    const app = create(...args);
    app.addHook('onRoute', (route) => {
      const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
      for (const method of [route.method].flat()) mockRegistered.push({ method, url: route.url, hidden });
    });
    return app;
  };
  return { ...actual, __esModule: true, default: withRouteLog };
});

const ID = 'action-s3.copyObject-aaaaaaaaaaaaaaaa';

/** The built API against its document: the same routes both ways, the document served, and errors as documented. */
describe('OpenAPI document and the API', () => {
  let document: OpenApiDocument;
  let schemas: DocumentSchemas;
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
      metrics: new ApiMetrics({ actions: defaultCatalogue().names(), processMetrics: false }),
      ...everyFeature(),
    });
    // Over HTTP, as the project's unit tests do: `inject` cannot load in Jest (light-my-request requires the ESM-only `cookie`).
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    document = app.swagger() as unknown as OpenApiDocument;
    schemas = new DocumentSchemas(document);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('documents every route the API registers, and no route it does not', () => {
    // The docs page's own routes (@fastify/swagger-ui: the page, its assets, its copy of the document) are hidden.
    const hidden = mockRegistered.filter((route) => route.hidden);
    expect(hidden.every((route) => route.url.startsWith('/docs'))).toBe(true);
    const registered = new Set(mockRegistered.filter((route) => !route.hidden).map((route) => `${route.method} ${openApiPath(route.url)}`));
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

  it('serves the docs page at /docs with every asset from the API itself, under a policy that allows nothing else', async () => {
    const response = await send({ method: 'GET', url: '/docs' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = String(response.headers.get('content-security-policy'));
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/https?:|\*/);
    const assets = [...response.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/docs\//);
      const loaded = await send({ method: 'GET', url: asset });
      expect([asset, loaded.status, loaded.headers.get('content-security-policy')]).toEqual([asset, 200, csp]);
    }
    // The page reads the document from beside it: the same one.
    expect(JSON.parse((await send({ method: 'GET', url: '/docs/json' })).body)).toEqual(document);
  });

  it('answers a method a path does not have with 405, naming those it has in Allow; an unknown path with 404', async () => {
    for (const [method, url, allow] of [
      ['DELETE', '/v1/actions', 'GET, HEAD, POST'],
      ['PUT', `/v1/actions/${ID}`, 'GET, HEAD'],
      ['GET', `/v1/actions/${ID}/decisions`, 'POST'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['PATCH', '/codec/decode', 'OPTIONS, POST'],
    ] as const) {
      const response = await send({ method, url, headers: authorization('reviewer') });
      expect([method, url, response.status, response.headers.get('allow'), JSON.parse(response.body).error.code]).toEqual([
        method,
        url,
        405,
        allow,
        'method_not_allowed',
      ]);
    }
    // QUERY reads a body and wants a Content-Type: none is no reason to answer other than 405.
    const query = await send({ method: 'QUERY', url: '/v1/catalogue' });
    expect([query.status, query.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    for (const [method, url] of [
      ['GET', '/v1/nothing'],
      ['DELETE', '/v1/actions/x/y/z'],
      ['GET', '/v2/actions'],
    ] as const) {
      const response = await send({ method, url });
      expect([method, url, response.status, JSON.parse(response.body).error.code]).toEqual([method, url, 404, 'not_found']);
    }
  });

  // Requests refused before anything reaches Temporal, the audit store or Slack: each answer's status must be
  // one the document lists for its route, and its body must match that response's schema (its `code` included).
  const refusals: { name: string; route: [string, string]; request: () => TestRequest; status: number }[] = [
    { name: 'no API key', route: ['post', '/v1/actions'], request: () => ({ method: 'POST', url: '/v1/actions', payload: {} }), status: 401 },
    { name: 'a reviewer asks', route: ['post', '/v1/actions'], request: () => as('reviewer', 'POST', '/v1/actions', validRequest()), status: 403 },
    {
      name: 'a short justification',
      route: ['post', '/v1/actions'],
      request: () => as('requester', 'POST', '/v1/actions', { ...validRequest(), justification: 'short' }),
      status: 400,
    },
    {
      name: 'an unknown action',
      route: ['post', '/v1/actions'],
      request: () => as('requester', 'POST', '/v1/actions', { ...validRequest(), action: 's3.deleteBucket' }),
      status: 400,
    },
    {
      name: 'params of the wrong type',
      route: ['post', '/v1/actions'],
      request: () => as('requester', 'POST', '/v1/actions', { ...validRequest(), params: { sourceBucket: 7 } }),
      status: 400,
    },
    {
      name: 'a callback host not allowed',
      route: ['post', '/v1/actions'],
      request: () => as('requester', 'POST', '/v1/actions', { ...validRequest(), callbackUrl: 'https://example.com/hook' }),
      status: 400,
    },
    {
      name: 'invalid JSON',
      route: ['post', '/v1/actions'],
      request: () => ({
        ...as('requester', 'POST', '/v1/actions'),
        payload: '{',
        headers: { ...authorization('requester'), 'content-type': 'application/json' },
      }),
      status: 400,
    },
    {
      name: 'a form body',
      route: ['post', '/v1/actions'],
      request: () => ({
        ...as('requester', 'POST', '/v1/actions'),
        payload: 'a=1',
        headers: { ...authorization('requester'), 'content-type': 'application/x-www-form-urlencoded' },
      }),
      status: 415,
    },
    { name: 'a bad list limit', route: ['get', '/v1/actions'], request: () => as('reviewer', 'GET', '/v1/actions?limit=0'), status: 400 },
    { name: 'an id that is no action id', route: ['get', '/v1/actions/{id}'], request: () => as('reviewer', 'GET', '/v1/actions/nope'), status: 404 },
    {
      name: 'a vote without a decision',
      route: ['post', '/v1/actions/{id}/decisions'],
      request: () => as('reviewer', 'POST', `/v1/actions/${ID}/decisions`, { comment: 'ok' }),
      status: 400,
    },
    {
      name: 'a requester votes',
      route: ['post', '/v1/actions/{id}/decisions'],
      request: () => as('requester', 'POST', `/v1/actions/${ID}/decisions`, { decision: 'approve' }),
      status: 403,
    },
    { name: 'a lineage nobody has', route: ['get', '/v1/actions/{id}/lineage'], request: () => as('auditor', 'GET', '/v1/actions/nope/lineage'), status: 404 },
    { name: 'a bad audit time', route: ['get', '/v1/audit'], request: () => as('auditor', 'GET', '/v1/audit?from=yesterday'), status: 400 },
    { name: 'a requester exports the audit', route: ['get', '/v1/audit'], request: () => as('requester', 'GET', '/v1/audit'), status: 403 },
    {
      name: 'an unsigned Slack post',
      route: ['post', '/slack/interactions'],
      request: () => ({
        method: 'POST',
        url: '/slack/interactions',
        payload: 'payload=%7B%7D',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      status: 401,
    },
    {
      name: 'a Teams post without a token',
      route: ['post', '/teams/messages'],
      request: () => ({ method: 'POST', url: '/teams/messages', payload: '{"type":"message"}', headers: { 'content-type': 'application/json' } }),
      status: 401,
    },
  ];

  it.each(refusals)('answers $name with a documented $status', async ({ route, request, status }) => {
    const response = await send(request());
    expect(response.status).toBe(status);
    expectDocumented(route, response);
  });

  function expectDocumented([method, path]: [string, string], response: TestResponse): void {
    const operation = document.paths[path]?.[method];
    if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
    const documented = operation.responses[String(response.status)];
    if (!documented)
      throw new Error(`${method.toUpperCase()} ${path} does not document ${response.status}; it lists ${Object.keys(operation.responses).join(', ')}`);
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${response.status} documents no JSON body`);
    const validate = schemas.inline(schema);
    const body = JSON.parse(response.body) as unknown;
    expect([body, describeErrors(validate(body) ? [] : validate.errors)]).toEqual([body, '']);
  }

  function authorization(role: PrincipalRole): Record<string, string> {
    return { authorization: `Bearer ${keys[role] ?? ''}` };
  }

  function as(role: PrincipalRole, method: TestRequest['method'], url: string, payload?: object): TestRequest {
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
  method: string;
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
