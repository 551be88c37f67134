import { defaultCatalogue } from '../../../operations/catalogue';
import { describeErrors, documentOf, DocumentSchemas, everyFeature, openApi31Validator, requestBodySchema, type OpenApiDocument } from './openapi-support';

/** The document is valid OpenAPI 3.1, every schema in it is valid JSON Schema, and it lists what the configuration serves. */
describe('OpenAPI document', () => {
  let byDefault: OpenApiDocument;
  let full: OpenApiDocument;

  beforeAll(async () => {
    byDefault = await documentOf();
    full = await documentOf(everyFeature());
  });

  it.each([
    ['the default configuration', () => byDefault],
    ['every feature on', () => full],
  ])('validates against the official OpenAPI 3.1 schema with %s', (_name, document) => {
    const validate = openApi31Validator();
    const valid = validate(document());
    expect(describeErrors(validate.errors)).toBe('');
    expect(valid).toBe(true);
  });

  it('fails a document that is not valid OpenAPI (the check has teeth)', () => {
    const validate = openApi31Validator();
    const withoutVersion = structuredClone(full) as unknown as { info: { version?: string } };
    delete withoutVersion.info.version;
    expect(validate(withoutVersion)).toBe(false);
    const bodyParameter = structuredClone(full);
    bodyParameter.paths['/v1/actions']?.post?.parameters?.push({ name: 'x', in: 'body' as 'query', required: false, schema: {} });
    expect(validate(bodyParameter)).toBe(false);
  });

  it('has components that compile as strict JSON Schema 2020-12, each one used', () => {
    const schemas = new DocumentSchemas(full);
    for (const name of Object.keys(full.components.schemas)) {
      expect(() => schemas.component(name)).not.toThrow();
      expect([
        name,
        JSON.stringify(full.paths).includes(`"#/components/schemas/${name}"`) || JSON.stringify(full.components).includes(`"#/components/schemas/${name}"`),
      ]).toEqual([name, true]);
    }
  });

  it('has inline schemas (parameters, bodies, responses) that compile, and whose references all resolve', () => {
    const schemas = new DocumentSchemas(full);
    for (const [path, item] of Object.entries(full.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const inline = [
          ...(operation.parameters ?? []).map((parameter) => parameter.schema),
          ...Object.values(operation.requestBody?.content ?? {}).map((media) => media.schema),
          ...Object.values(operation.responses).flatMap((response) => Object.values(response.content ?? {}).map((media) => media.schema)),
        ];
        for (const schema of inline) {
          try {
            schemas.inline(schema);
          } catch (err) {
            throw new Error(`${method.toUpperCase()} ${path}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
    }
  });

  it('documents params per action: a oneOf keyed by `action`, one branch per catalogue operation', () => {
    const body = requestBodySchema(full, 'post', '/v1/actions') as {
      oneOf: { properties: { action: { const: string }; params: { type: string; additionalProperties: boolean } } }[];
    };
    expect(body.oneOf.map((branch) => branch.properties.action.const).sort()).toEqual(defaultCatalogue().names());
    for (const branch of body.oneOf) expect(branch.properties.params).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('gives every operation a unique id, an access sentence, and every error response the envelope with its codes', () => {
    const ids = Object.values(full.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, item] of Object.entries(full.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect([method, path, /Access: /.test(operation.description)]).toEqual([method, path, true]);
        for (const [status, response] of Object.entries(operation.responses)) {
          const schema = response.content?.['application/json']?.schema as
            { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } } | undefined;
          // An unhealthy /healthz answers its own shape, for load balancers; the codec's sign-in answers a page.
          if (Number(status) < 400 || !schema || path === '/healthz') continue;
          expect([method, path, status, schema.properties?.error?.properties?.code?.enum?.length ?? 0]).toEqual([method, path, status, expect.any(Number)]);
          expect(schema.properties?.error?.properties?.code?.enum?.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('names the roles of a route behind an API key or token, as its access check has them', () => {
    expect(full.paths['/v1/actions']?.post?.['x-airlock-roles']).toEqual(['requester']);
    expect(full.paths['/v1/actions/{id}/decisions']?.post?.['x-airlock-roles']).toEqual(['reviewer']);
    expect(full.paths['/v1/audit']?.get?.['x-airlock-roles']).toEqual(['auditor']);
    expect(full.paths['/v1/actions']?.post?.security).toEqual([{ apiKey: [] }, { oidcToken: [] }]);
    expect(full.paths['/healthz']?.get?.security).toEqual([]);
    expect(full.paths['/codec/decode']?.post?.security).toEqual([{ apiKey: [] }, { codecSession: [] }]);
  });

  it('lists Slack, Teams and the codec only when they are on', async () => {
    const optional = ['/slack/interactions', '/teams/messages', '/codec/encode', '/codec/decode', '/codec/login', '/codec/logout'];
    expect(optional.filter((path) => path in byDefault.paths)).toEqual([]);
    expect(optional.filter((path) => !(path in full.paths))).toEqual([]);
    const { slack, teams, codec } = everyFeature();
    expect(Object.keys((await documentOf({ slack })).paths).filter((path) => optional.includes(path))).toEqual(['/slack/interactions']);
    expect(Object.keys((await documentOf({ teams })).paths).filter((path) => optional.includes(path))).toEqual(['/teams/messages']);
    expect(
      Object.keys((await documentOf({ codec })).paths)
        .filter((path) => optional.includes(path))
        .sort(),
    ).toEqual(['/codec/decode', '/codec/encode', '/codec/login', '/codec/logout']);
    // The catalogue needs the policy, metrics their registry: without either, neither path.
    const bare = await documentOf({ policy: undefined, metrics: undefined });
    expect(['/v1/catalogue', '/metrics'].filter((path) => path in bare.paths)).toEqual([]);
  });
});
