import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { GATEWAY_ACTION_PREFIX } from '../domain/action-id';
import { hostileVariants, inputWildcards, policyProblem } from './policy-check';
import type { IamPolicyDocument, Operation } from './types';

/** A catalogue name: a service and a verb (`dynamodb.deleteItem`), as the built-in ones are. */
const OPERATION_NAME = /^[a-z][a-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/;
/** What a policy is built with while checking: the commercial partition. */
const CHECK_PARTITION = 'aws';
const REQUIRED_FUNCTIONS = ['summarize', 'sessionPolicy', 'previewPolicy', 'preview', 'execute'] as const;

/** A module named in AIRLOCK_OPERATIONS that cannot be loaded, or one of whose operations is refused. */
export class OperationModuleError extends Error {
  override readonly name = 'OperationModuleError';

  constructor(
    readonly module: string,
    problem: string,
  ) {
    super(`AIRLOCK_OPERATIONS: ${module}: ${problem}`);
  }
}

/**
 * Loads the operations of the modules AIRLOCK_OPERATIONS names (paths, relative to `cwd`, or
 * package names) and checks each before anything runs: a name of the catalogue's form that no
 * built-in or earlier module has, a zod params schema, the functions every operation has, and
 * examples whose session and preview policies name their actions exactly (policyProblem) and
 * allow no wildcard the example's own policy lacks when an agent puts one into any string param
 * the schema accepts. The first problem throws, naming the module.
 */
export function loadUserOperations(modules: readonly string[], taken: readonly string[], cwd = process.cwd()): Operation<unknown, unknown>[] {
  const names = new Set(taken);
  const loaded: Operation<unknown, unknown>[] = [];
  for (const specifier of modules) {
    for (const operation of operationsOf(specifier, cwd)) {
      const problem = operationProblem(operation, names);
      if (problem) throw new OperationModuleError(specifier, problem);
      names.add(operation.name);
      loaded.push(operation);
    }
  }
  return loaded;
}

/** The module's operations: its default export (one or a list), an `operations` list, or every exported operation. */
function operationsOf(specifier: string, cwd: string): Operation<unknown, unknown>[] {
  let exports: Record<string, unknown>;
  try {
    const local = resolve(cwd, specifier);
    // A path (`./ops.js`, `ops/deploy.js`, absolute) when it names a file here; else a package name.
    const path = specifier.startsWith('.') || isAbsolute(specifier) || existsSync(local) ? local : require.resolve(specifier, { paths: [cwd] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module the deployment names at start, loaded once
    exports = require(path) as Record<string, unknown>;
  } catch (err) {
    throw new OperationModuleError(specifier, `cannot be loaded: ${messageOf(err).split('\n')[0]}`);
  }
  const candidates = exports.default ?? exports.operations ?? Object.values(exports).filter(looksLikeOperation);
  const operations = (Array.isArray(candidates) ? candidates : [candidates]).filter((candidate) => candidate !== undefined);
  if (operations.length === 0) throw new OperationModuleError(specifier, 'exports no operation (export one as default, or a list as `operations`)');
  return operations.map((candidate, index) => {
    if (!looksLikeOperation(candidate)) throw new OperationModuleError(specifier, `export ${index} is not an operation (defineOperation makes one)`);
    return candidate;
  });
}

/** An error's message, also for errors of another realm (a module's own `Error`). */
function messageOf(err: unknown): string {
  return err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message : String(err);
}

function looksLikeOperation(value: unknown): value is Operation<unknown, unknown> {
  return Boolean(value) && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string' && 'params' in (value as object);
}

/**
 * The first thing wrong with one operation, or undefined: the loader's check, exported so the
 * built-in operations can be held to it too (test/unit/operations/built-in-checks.test.ts).
 */
export function operationProblem(operation: Operation<unknown, unknown>, taken: ReadonlySet<string>): string | undefined {
  const name = operation.name;
  if (!OPERATION_NAME.test(name)) return `operation name ${JSON.stringify(name)} is not of the form service.verb`;
  if (name.startsWith(GATEWAY_ACTION_PREFIX)) return `operation name ${name}: names starting ${GATEWAY_ACTION_PREFIX} are the MCP gateway's tools`;
  if (taken.has(name)) return `operation ${name} is already in the catalogue`;
  if (typeof operation.title !== 'string' || typeof operation.description !== 'string') return `${name} needs a title and a description`;
  if (typeof operation.idempotent !== 'boolean') return `${name} must say whether it is idempotent`;
  if (typeof (operation.params as { safeParse?: unknown } | undefined)?.safeParse !== 'function') return `${name}: params is not a zod schema`;
  for (const fn of REQUIRED_FUNCTIONS) if (typeof operation[fn] !== 'function') return `${name} has no ${fn}()`;
  const examples = operation.examples ?? [];
  if (examples.length === 0) return `${name} has no examples: the loader checks its policies on them`;
  for (const [index, example] of examples.entries()) {
    const parsed = operation.params.safeParse(example);
    if (!parsed.success) return `${name} examples[${index}] is refused by its own params schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
    const plain = policiesOf(operation, parsed.data);
    if (typeof plain === 'string') return `${name} examples[${index}]: ${plain}`;
    for (const variant of hostileVariants(example)) {
      const hostile = operation.params.safeParse(variant);
      if (!hostile.success) continue; // the schema refuses it: what it should do
      const policies = policiesOf(operation, hostile.data);
      const widened =
        typeof policies === 'string'
          ? policies
          : KINDS.map((kind) => inputWildcards(plain[kind], policies[kind]).map((entry) => `its ${kind} allows ${JSON.stringify(entry)}`)).flat()[0];
      if (widened) return `${name} accepts ${JSON.stringify(variant)}, and then ${widened} (refuse such values in the params schema)`;
    }
  }
  return undefined;
}

const KINDS = ['sessionPolicy', 'previewPolicy'] as const;
type Policies = Record<(typeof KINDS)[number], IamPolicyDocument>;

/** Both policies of the operation for these params, or what is wrong with one of them. */
function policiesOf(operation: Operation<unknown, unknown>, params: unknown): Policies | string {
  const policies: Partial<Policies> = {};
  for (const kind of KINDS) {
    let policy: unknown;
    try {
      policy = operation[kind](params, CHECK_PARTITION);
    } catch (err) {
      return `${kind} threw: ${messageOf(err)}`;
    }
    const problem = policyProblem(policy);
    if (problem) return `${kind} ${problem}`;
    policies[kind] = policy as IamPolicyDocument;
  }
  return policies as Policies;
}
