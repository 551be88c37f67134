import type { z } from 'zod';

/** A JSON Schema (2020-12) object, as zod emits it and OpenAPI 3.1 embeds it. */
export type JsonSchema = z.core.JSONSchema.JSONSchema;

/** The parts of OpenAPI 3.1 this document uses; no library types, so the document stays plain JSON. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license?: { name: string; identifier: string } };
  security: Record<string, string[]>[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, SecurityScheme>;
    headers: Record<string, HeaderObject>;
  };
}

export type HttpMethod = 'get' | 'post' | 'options';

export type PathItem = Partial<Record<HttpMethod, OperationObject>>;

export type SecurityScheme =
  | { type: 'http'; scheme: 'bearer'; bearerFormat?: string; description: string }
  | { type: 'apiKey'; in: 'cookie' | 'header'; name: string; description: string };

export interface OperationObject {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  /** `[]` for routes that take no API key. */
  security?: Record<string, string[]>[];
  /** Roles that may call the route; machine-readable twin of the description's sentence. */
  'x-airlock-roles'?: string[];
  parameters?: ParameterObject[];
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseObject>;
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface MediaTypeObject {
  schema: JsonSchema;
  encoding?: Record<string, { contentType: string }>;
  example?: unknown;
}

export interface RequestBodyObject {
  required: boolean;
  description?: string;
  content: Record<string, MediaTypeObject>;
}

export interface HeaderObject {
  description: string;
  schema: JsonSchema;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject | { $ref: string }>;
  content?: Record<string, MediaTypeObject>;
}
