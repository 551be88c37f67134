import { buildOpenApiDocument } from '../../../api/openapi/build-document';
import { defaultCatalogue } from '../../../operations/catalogue';
import { describeErrors, DocumentSchemas, openApi31Validator } from './openapi-support';

/** The document is valid OpenAPI 3.1, every schema in it is valid JSON Schema, and every reference resolves. */
describe('OpenAPI document', () => {
  const document = buildOpenApiDocument(defaultCatalogue());

  it('validates against the official OpenAPI 3.1 schema', () => {
    const validate = openApi31Validator();
    const valid = validate(document);
    expect(describeErrors(validate.errors)).toBe('');
    expect(valid).toBe(true);
  });

  it('fails a document that is not valid OpenAPI (the check has teeth)', () => {
    const validate = openApi31Validator();
    const withoutVersion = structuredClone(document) as unknown as { info: { version?: string } };
    delete withoutVersion.info.version;
    expect(validate(withoutVersion)).toBe(false);
    const bodyParameter = structuredClone(document);
    bodyParameter.paths['/v1/actions']?.post?.parameters?.push({ name: 'x', in: 'body' as 'query', required: false, schema: {} });
    expect(validate(bodyParameter)).toBe(false);
  });

  it('has components that compile as strict JSON Schema 2020-12', () => {
    const schemas = new DocumentSchemas(document);
    for (const name of Object.keys(document.components.schemas)) {
      expect(() => schemas.component(name)).not.toThrow();
    }
  });

  it('has inline schemas (parameters, bodies, responses) that compile, and whose references all resolve', () => {
    const schemas = new DocumentSchemas(document);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        const inline = [
          ...(operation.parameters ?? []).map((parameter) => parameter.schema),
          ...Object.values(operation.requestBody?.content ?? {}).map((media) => media.schema),
          ...Object.values(operation.responses).flatMap((response) => Object.values(response.content ?? {}).map((media) => media.schema)),
        ];
        for (const schema of inline) {
          try {
            schemas.inline(schema);
          } catch (err) {
            throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
    }
    const headerRefs = JSON.stringify(document.paths).match(/#\/components\/headers\/[\w-]+/g) ?? [];
    for (const ref of new Set(headerRefs)) expect(document.components.headers).toHaveProperty([ref.split('/').pop() as string]);
  });

  it('documents params per action with a discriminator over the whole catalogue', () => {
    const union = document.components.schemas.CreateActionRequest as { oneOf: { $ref: string }[]; discriminator: { propertyName: string; mapping: Record<string, string> } };
    const names = defaultCatalogue().names();
    expect(union.discriminator.propertyName).toBe('action');
    expect(Object.keys(union.discriminator.mapping).sort()).toEqual(names);
    expect(union.oneOf.map((branch) => branch.$ref).sort()).toEqual(Object.values(union.discriminator.mapping).sort());
    for (const name of names) {
      expect(document.components.schemas[`ActionParams.${name}`]).toMatchObject({ type: 'object', additionalProperties: false });
    }
  });

  it('gives every operation a unique id, and every error response the envelope with its codes (health aside)', () => {
    const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const operation of Object.values(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          // An unhealthy /healthz answers its own shape, for load balancers.
          if (Number(status) < 400 || !response.content?.['application/json'] || path === '/healthz') continue;
          const schema = response.content['application/json'].schema as { allOf?: [{ $ref: string }, { properties: { error: { properties: { code: { enum: string[] } } } } }] };
          expect(schema.allOf?.[0]).toEqual({ $ref: '#/components/schemas/Error' });
          expect(schema.allOf?.[1].properties.error.properties.code.enum.length).toBeGreaterThan(0);
        }
      }
    }
  });
});
