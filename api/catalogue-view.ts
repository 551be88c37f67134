import { z } from 'zod';
import type { CatalogueEntry } from '../client/types';
import type { Catalogue } from '../operations/catalogue';
import type { Operation } from '../operations/types';
import { reviewOutlook, type LoadedPolicy } from '../policy';

type StaticEntry = Omit<CatalogueEntry, 'review'>;

/**
 * The catalogue as an agent reads it (`GET /v1/catalogue`): each operation with the JSON Schema of
 * its params, as the OpenAPI document gives it in the action's branch of `POST /v1/actions` (an MCP
 * gateway tool: its own inputSchema), and what policy will make of the caller's requests. Each
 * operation's entry is built once (the operations loaded at start, here, so a bad schema stops the
 * start; a gateway tool, when first listed); the review outlook per call, from the policy loaded
 * now. Typed as the client library's entry, so the two cannot drift apart.
 */
export function catalogueForAgents(catalogue: Catalogue): (policy: LoadedPolicy, requesterId: string) => CatalogueEntry[] {
  const built = new WeakMap<Operation<unknown>, StaticEntry>();
  const entryOf = (operation: Operation<unknown>): StaticEntry => {
    let entry = built.get(operation);
    if (!entry) {
      entry = staticEntry(operation);
      built.set(operation, entry);
    }
    return entry;
  };
  catalogue.loadedAtStart().forEach(entryOf);
  // An MCP gateway tool's annotations are fixed per tool, so rules on them are decided here exactly.
  return (policy, requesterId) =>
    catalogue.list().map((operation) => ({
      ...entryOf(operation),
      review: reviewOutlook(policy, operation.name, requesterId, operation.tool?.annotations, {
        grantsNothing: operation.usesAwsCredentials?.('execute') === false,
      }),
    }));
}

function staticEntry(operation: Operation<unknown>): StaticEntry {
  return {
    name: operation.name,
    title: operation.title,
    description: operation.description,
    idempotent: operation.idempotent,
    paramsSchema: operation.paramsJsonSchema ?? paramsJsonSchema(operation.params),
    ...(operation.tool ? { tool: operation.tool } : {}),
  };
}

/** What a client sends as `params`, self-contained: a schema that would refer to definitions (a recursive one) is refused at start-up. */
function paramsJsonSchema(params: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(params, { target: 'draft-2020-12', io: 'input' });
  if (schema.$defs || schema.$ref) throw new Error('a params schema must not refer to definitions');
  return schema;
}
