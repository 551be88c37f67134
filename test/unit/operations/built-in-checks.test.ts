import { defaultCatalogue } from '../../../operations/catalogue';
import { operationProblem } from '../../../operations/user-operations';

/**
 * The built-in operations and those loaded from AIRLOCK_OPERATIONS are one contract: the
 * loader's check, applied to each built-in with its own examples, finds nothing wrong, so a
 * module written like them loads, and no built-in takes a wildcard from its input.
 */
describe('the built-in operations under the loader check', () => {
  it('every built-in operation declares examples, as defineOperation asks of user operations', () => {
    expect(
      defaultCatalogue()
        .list()
        .filter((operation) => (operation.examples ?? []).length === 0),
    ).toEqual([]);
  });

  it.each(
    defaultCatalogue()
      .list()
      .map((operation) => [operation.name, operation] as const),
  )('%s passes it', (_name, operation) => {
    expect(operationProblem(operation, new Set())).toBeUndefined();
  });
});
