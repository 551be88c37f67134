import type { CatalogueEntry } from '../client/types';
import type { Catalogue } from '../operations/catalogue';
import { reviewOutlook, type LoadedPolicy } from '../policy';
import { inlineSchema } from './openapi/json-schema';

/**
 * The catalogue as an agent reads it (`GET /v1/catalogue`): each operation with the JSON Schema of
 * its params, as the OpenAPI document gives it (`ActionParams.<name>`), and what policy will make
 * of the caller's requests. The schemas are built once, here; the review outlook per call, from
 * the policy loaded now. Typed as the client library's entry, so the two cannot drift apart.
 */
export function catalogueForAgents(catalogue: Catalogue): (policy: LoadedPolicy, requesterId: string) => CatalogueEntry[] {
  const operations = catalogue.list().map((operation) => ({
    name: operation.name,
    title: operation.title,
    description: operation.description,
    idempotent: operation.idempotent,
    // Self-contained: inlineSchema refuses one that would refer to definitions (a recursive params schema), at start-up.
    paramsSchema: inlineSchema(operation.params, 'input'),
  }));
  return (policy, requesterId) => operations.map((operation) => ({ ...operation, review: reviewOutlook(policy, operation.name, requesterId) }));
}
