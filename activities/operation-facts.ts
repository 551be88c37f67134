import type { Operation } from '../operations/types';
import type { OperationFacts } from '../domain/types';

/** What the workflow must know about a resolved operation: retry safety and the one-line summary. */
export function operationFactsOf(operation: Operation<unknown>, params: unknown): OperationFacts {
  return { idempotent: operation.idempotent, summary: operation.summarize(params) };
}
