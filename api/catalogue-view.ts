import { z } from 'zod';
import type { CatalogueEntry } from '../client/types';
import type { Catalogue } from '../operations/catalogue';
import { reviewOutlook, type LoadedPolicy } from '../policy';

/**
 * The catalogue as an agent reads it (`GET /v1/catalogue`): each operation with the JSON Schema of
 * its params, as the OpenAPI document gives it in the action's branch of `POST /v1/actions`, and what policy will make
 * of the caller's requests. The schemas are built once, here; the review outlook per call, from
 * the policy loaded now. Typed as the client library's entry, so the two cannot drift apart.
 */
export function catalogueForAgents(catalogue: Catalogue): (policy: LoadedPolicy, requesterId: string) => CatalogueEntry[] {
  const operations = catalogue.list().map((operation) => ({
    name: operation.name,
    title: operation.title,
    description: operation.description,
    idempotent: operation.idempotent,
    paramsSchema: paramsJsonSchema(operation.params),
  }));
  return (policy, requesterId) => operations.map((operation) => ({ ...operation, review: reviewOutlook(policy, operation.name, requesterId) }));
}

/** What a client sends as `params`, self-contained: a schema that would refer to definitions (a recursive one) is refused at start-up. */
function paramsJsonSchema(params: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(params, { target: 'draft-2020-12', io: 'input' });
  if (schema.$defs || schema.$ref) throw new Error('a params schema must not refer to definitions');
  return schema;
}
