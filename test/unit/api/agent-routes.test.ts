import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import * as responses from '../../../api/response-schemas';
import { getActionQuery } from '../../../api/schemas';
import { buildApi } from '../../../api/server';
import { generateApiKey, hashApiKey, PrincipalDirectory, type PrincipalRole } from '../../../config/principals';
import { defaultCatalogue } from '../../../operations/catalogue';
import { loadPolicyFile } from '../../../policy';
import { describeErrors, DocumentSchemas, requestBodySchema, unusedAudit, unusedClient, type OpenApiDocument } from './openapi-support';
import { testSigner } from '../../support/identity-keys';

const ROOT = join(__dirname, '..', '..', '..');
const policy = loadPolicyFile(join(ROOT, 'config', 'example-policy.yaml'));
let document: OpenApiDocument;
let schemas: DocumentSchemas;
const ID = 'action-s3.copyObject-aaaaaaaaaaaaaaaa';

/**
 * What agents read before and after asking: `GET /v1/catalogue` and the `waitSeconds` query of
 * `GET /v1/actions/{id}`, over HTTP, checked against the OpenAPI document. Nothing here reaches
 * Temporal (test/integration/long-poll.test.ts waits on a real one).
 */
describe('routes for agents', () => {
  const keys: Partial<Record<string, string>> = {};
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    const roles: Record<string, PrincipalRole[]> = { 'etl-bot': ['requester'], alice: ['reviewer'], audrey: ['auditor'], root: ['admin'], olive: ['operator'] };
    const principals = Object.entries(roles).map(([id, held]) => {
      keys[id] = generateApiKey();
      return { id, roles: held, keySha256: hashApiKey(keys[id] ?? '') };
    });
    app = await buildApi({
      client: unusedClient,
      catalogue: defaultCatalogue(),
      principals: new PrincipalDirectory(principals),
      taskQueue: 'agent-routes-test',
      audit: unusedAudit,
      identity: testSigner(),
      logLevel: 'silent',
      policy: () => policy,
    });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    document = app.swagger() as unknown as OpenApiDocument;
    schemas = new DocumentSchemas(document);
  });
  afterAll(async () => {
    await app?.close();
  });

  async function get(as: string | null, url: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${baseUrl}${url}`, { headers: as ? { authorization: `Bearer ${keys[as] ?? ''}` } : {} });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  function expectDocumented(method: string, path: string, status: number, body: unknown): void {
    const operation = document.paths[path]?.[method];
    const schema = operation?.responses[String(status)]?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${method} ${path} documents no JSON body for ${status}`);
    const validate = schemas.inline(schema);
    expect([status, describeErrors(validate(body) ? [] : validate.errors)]).toEqual([status, '']);
  }

  describe('GET /v1/catalogue', () => {
    it("lists every operation with its params schema and what policy makes of the caller's requests", async () => {
      const { status, body } = await get('etl-bot', '/v1/catalogue');
      expect(status).toBe(200);
      expectDocumented('get', '/v1/catalogue', 200, body);
      const parsed = responses.catalogue.safeParse(body);
      expect(parsed.success ? '' : z.prettifyError(parsed.error)).toBe('');
      const catalogue = responses.catalogue.parse(body);
      expect(catalogue.policyHash).toBe(policy.hash);
      expect(catalogue.items.map((item) => item.name)).toEqual(defaultCatalogue().names());
      // config/example-policy.yaml: copies are denied, allowed or reviewed by destination; nothing else has a rule.
      expect(Object.fromEntries(catalogue.items.map((item) => [item.name, item.review]))).toEqual({
        'aws.call': 'depends_on_params',
        'dynamodb.exportTableToPointInTime': 'denied',
        'lambda.updateFunctionCode': 'denied',
        's3.putBucketPolicy': 'denied',
        'ec2.runInstances': 'denied',
        'iam.attachRolePolicy': 'denied',
        'iam.detachRolePolicy': 'denied',
        'iam.putRolePolicy': 'denied',
        's3.copyObject': 'depends_on_params',
        's3.exportPrefix': 'denied',
      });
      const copy = catalogue.items.find((item) => item.name === 's3.copyObject');
      expect(copy).toMatchObject({ title: 'Copy an S3 object', idempotent: true });
    });

    it('gives each params schema exactly as the OpenAPI document does', async () => {
      const catalogue = responses.catalogue.parse((await get('etl-bot', '/v1/catalogue')).body);
      const body = requestBodySchema(document, 'post', '/v1/actions') as {
        oneOf: { properties: { action: { const: string }; params: Record<string, unknown> } }[];
      };
      for (const item of catalogue.items) {
        const branch = body.oneOf.find((candidate) => candidate.properties.action.const === item.name);
        const { title: _title, description: _description, ...params } = branch?.properties.params ?? {};
        expect([item.name, item.paramsSchema]).toEqual([item.name, params]);
      }
    });

    it.each([
      ['alice', 'a reviewer'],
      ['audrey', 'an auditor'],
      ['root', 'an admin'],
    ])('answers %s, %s, too', async (as) => {
      expect((await get(as, '/v1/catalogue')).status).toBe(200);
    });

    it.each([
      ['an operator', 'olive', 403, 'forbidden'],
      ['no API key', null, 401, 'unauthenticated'],
    ])('refuses %s', async (_name, as, status, code) => {
      const response = await get(as, '/v1/catalogue');
      expect([response.status, (response.body as { error: { code: string } }).error.code]).toEqual([status, code]);
      expectDocumented('get', '/v1/catalogue', status, response.body);
    });
  });

  describe('GET /v1/actions/{id}?waitSeconds=', () => {
    // '', '0x10' and '1e1' read as numbers to Number(), not to the document's `integer` (schemathesis found '').
    it.each(['61', '-1', 'ten', '1.5', '1e9', '', '0x10', '1e1'])('refuses waitSeconds=%j with 400 invalid_request naming the parameter', async (value) => {
      const response = await get('etl-bot', `/v1/actions/${ID}?waitSeconds=${value}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'invalid_request', issues: [{ path: 'query.waitSeconds' }] } });
      expectDocumented('get', '/v1/actions/{id}', 400, response.body);
    });

    it('refuses a query parameter it does not know', async () => {
      const response = await get('etl-bot', `/v1/actions/${ID}?wait=5`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'invalid_request' } });
    });

    // Query strings arrive as text: the document's types apply to the value read as JSON would be.
    it.each(['0', '1', '60', '61', '-1', 'ten', '2.5'])('agrees with the document on waitSeconds=%s', (value) => {
      const parameters = (document.paths['/v1/actions/{id}']?.get?.parameters ?? []).filter((p) => p.in === 'query');
      const validate = new DocumentSchemas(document, { coerceTypes: true }).inline({
        type: 'object',
        properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema])),
      });
      expect(validate({ waitSeconds: value })).toBe(getActionQuery.safeParse({ waitSeconds: value }).success);
    });
  });
});
