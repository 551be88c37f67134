import { z } from 'zod';
import { ACTION_ID_PATTERN } from '../../domain/action-id';
import { idempotencyKeyHeader } from '../schemas';
import { inlineSchema } from './json-schema';
import type { ParameterObject } from './types';

/** `{id}` in `/v1/actions/{id}…`. */
export const actionIdParameter: ParameterObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The action id, as `POST /v1/actions` answered it. Any other id answers `404 action_not_found`.',
  schema: inlineSchema(z.string().regex(ACTION_ID_PATTERN), 'input'),
};

/** The `Idempotency-Key` header of the routes that change something. */
export function idempotencyKeyParameter(description: string): ParameterObject {
  return { name: 'Idempotency-Key', in: 'header', required: false, description, schema: inlineSchema(idempotencyKeyHeader, 'input') };
}

/** One query parameter per field of the zod schema the route parses its query with, each described. */
export function queryParameters(query: z.ZodObject, descriptions: Record<string, string>): ParameterObject[] {
  const schema = inlineSchema(query, 'input');
  const required = new Set(schema.required ?? []);
  const properties = schema.properties ?? {};
  for (const name of Object.keys(descriptions)) {
    if (!(name in properties)) throw new Error(`query parameter ${name} is described but not in the schema`);
  }
  return Object.entries(properties).map(([name, property]) => {
    const description = descriptions[name];
    if (description === undefined || typeof property === 'boolean') throw new Error(`query parameter ${name} needs a description and a schema`);
    return { name, in: 'query', required: required.has(name), description, schema: property };
  });
}
