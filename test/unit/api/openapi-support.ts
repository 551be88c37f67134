import { readFileSync } from 'node:fs';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import type { AuditLog } from '../../../audit/audit-log';
import { apiDocument } from '../../../scripts/lib/default-api-document';
import type { ApiOptions } from '../../../api/server';

/** A JSON Schema (2020-12) object, as the document embeds it. */
export type JsonSchema = z.core.JSONSchema.JSONSchema;

/** The parts of an OpenAPI 3.1 document the tests read. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface OperationObject {
  operationId: string;
  description: string;
  tags: string[];
  security?: Record<string, string[]>[];
  'x-airlock-roles'?: string[];
  parameters?: ParameterObject[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: JsonSchema }> }>;
}

/** The document an API built with `overrides` over the default configuration serves. */
export async function documentOf(overrides: Partial<ApiOptions> = {}): Promise<OpenApiDocument> {
  return (await apiDocument(overrides)).document as unknown as OpenApiDocument;
}

/** Every feature switched on, so that every route the API can have is registered. */
export function everyFeature(): Partial<ApiOptions> {
  return {
    slack: { signingSecret: 'openapi-test-signing-secret' },
    teams: { appId: 'openapi-test-app', jwksUrl: new URL('http://127.0.0.1:1/keys') },
    codec: { codec: { encode: async (payloads) => payloads, decode: async (payloads) => payloads }, corsOrigins: [] },
  };
}

/** The request body schema `method path` documents (JSON). */
export function requestBodySchema(document: OpenApiDocument, method: string, path: string): JsonSchema {
  const schema = document.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} documents no JSON body`);
  return schema;
}

/** The document's base URI inside Ajv: its `#/components/…` references resolve against it. */
const DOCUMENT_ID = 'urn:airlock:openapi';

/**
 * Checks a document against the OAI's JSON Schema for OpenAPI 3.1, as @seriousme/openapi-schema-validator
 * ships it: the latest published version, with its `$dynamicRef`s made plain `$ref`s, which Ajv resolves
 * reliably (with `$dynamicRef`, Ajv misreads schema objects inside the document as parameters).
 */
export function openApi31Validator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(require.resolve('@seriousme/openapi-schema-validator/schemas/v3.1/schema.json'), 'utf8')) as object;
  // Not strict: the OAI schema uses a format Ajv does not know (media-range), as an annotation.
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/**
 * Validates JSON values against schemas of the document, strictly: an unknown keyword or a
 * schema Ajv cannot compile fails, so the document's schemas are proven valid JSON Schema too.
 */
export class DocumentSchemas {
  private readonly ajv: Ajv2020;

  constructor(document: OpenApiDocument, options: { coerceTypes?: boolean } = {}) {
    this.ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, coerceTypes: options.coerceTypes ?? false });
    addFormats(this.ajv);
    // OpenAPI's own keywords: annotations for Ajv (the discriminator only picks among `oneOf` branches that `const` decides anyway).
    this.ajv.addKeyword('discriminator');
    this.ajv.addKeyword('components');
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
  }

  /** A validator for the component `name`. */
  component(name: string): ValidateFunction {
    const validate = this.ajv.getSchema(`${DOCUMENT_ID}#/components/schemas/${name}`);
    if (!validate) throw new Error(`no component ${name}`);
    return validate;
  }

  /** A validator for an inline schema of the document (a parameter's, a response's), whose references point at components. */
  inline(schema: JsonSchema): ValidateFunction {
    return this.ajv.compile({ $id: `${DOCUMENT_ID}:inline:${++inlineCount}`, ...rewriteRefs(schema) });
  }
}

let inlineCount = 0;

/** `#/components/…` in an inline schema means the document's; Ajv resolves `#` against the inline schema itself. */
function rewriteRefs(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${DOCUMENT_ID}#/`)) as JsonSchema;
}

/** Ajv's errors, one line each, for a readable failure. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`).join('\n');
}

/** Enough of each dependency for `buildApi` to register its routes; nothing here is called by the requests the tests send. */
export const unusedClient = { options: { namespace: 'default' } } as unknown as Client;
export const unusedAudit = {} as AuditLog;
