import type { Catalogue } from '../operations/catalogue';
import type { JsonObject, OperationFacts } from '../workflows/types';

export { InvalidParamsError, UnknownActionError } from '../operations/catalogue';

/**
 * What the workflow must know about an operation (retry safety, one-line summary), from the
 * catalogue. Throws UnknownActionError or InvalidParamsError.
 */
export function operationFacts(catalogue: Catalogue, action: string, params: JsonObject): OperationFacts {
  const resolved = catalogue.resolve(action, params);
  return { idempotent: resolved.operation.idempotent, summary: resolved.operation.summarize(resolved.params) };
}
