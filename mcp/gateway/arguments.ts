import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { formatPath } from '../../config/yaml-file';
import { InvalidArgumentsError, ToolSchemaError } from './errors';
import type { DownstreamTool } from './tools';

type Draft = 'draft-07' | '2019-09' | '2020-12';

/** `$schema` URIs by draft; a schema without one is draft-07, as MCP tools are usually written. */
const DRAFTS: Record<string, Draft> = {
  'http://json-schema.org/draft-07/schema': 'draft-07',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
};

/** Lines in an error message before the rest is counted rather than listed. */
const MAX_ISSUES = 20;

/**
 * Checks a call's arguments against its tool's inputSchema, as its server declared it. Each
 * schema is compiled once (per listing: a relisted tool's new schema is compiled afresh). The
 * arguments are never changed: no defaults filled in, no types coerced, so what is reviewed is
 * exactly what the server will receive.
 */
export class ArgumentValidator {
  private readonly engines = new Map<Draft, Ajv>();
  private readonly compiled = new WeakMap<object, ValidateFunction>();

  /** The arguments, if they match; throws InvalidArgumentsError, or ToolSchemaError for a schema that cannot be compiled. */
  validate(tool: DownstreamTool, args: unknown): Record<string, unknown> {
    const value = args === undefined ? {} : args;
    const problems = this.problems(tool, value);
    if (problems.length === 0) return value as Record<string, unknown>;
    throw new InvalidArgumentsError(tool.name, linesOf(problems));
  }

  /**
   * What is wrong with the arguments, each at its path below `arguments` (an empty list when they
   * match), for callers with an error format of their own. Throws ToolSchemaError.
   */
  problems(tool: DownstreamTool, args: unknown): ArgumentProblem[] {
    if (args === null || typeof args !== 'object' || Array.isArray(args)) return [{ path: [], message: 'must be an object' }];
    const check = this.validatorOf(tool);
    return check(args) ? [] : problemsOf(check.errors ?? [], args);
  }

  private validatorOf(tool: DownstreamTool): ValidateFunction {
    const known = this.compiled.get(tool.inputSchema);
    if (known) return known;
    const uri = tool.inputSchema.$schema;
    const draft = typeof uri === 'string' ? DRAFTS[uri.replace(/#$/, '')] : 'draft-07';
    if (draft === undefined) {
      throw new ToolSchemaError(tool.name, `unsupported $schema ${JSON.stringify(uri)} (supported: ${Object.keys(DRAFTS).join(', ')})`);
    }
    let check: ValidateFunction;
    try {
      check = this.engine(draft).compile(tool.inputSchema);
    } catch (err) {
      throw new ToolSchemaError(tool.name, (err as Error).message);
    }
    // Ajv keeps every compiled schema in its own cache; the WeakMap above is the cache, so a relisted tool's old schema can go.
    this.engine(draft).removeSchema(tool.inputSchema);
    this.compiled.set(tool.inputSchema, check);
    return check;
  }

  private engine(draft: Draft): Ajv {
    let engine = this.engines.get(draft);
    if (!engine) {
      const options = {
        allErrors: true,
        // Schemas come from other people's servers: keywords Ajv does not know are ignored, not fatal.
        strict: false,
        logger: false as const,
        // Two servers may use one $id for different schemas; each tool's schema stands alone.
        addUsedSchema: false,
        useDefaults: false,
        coerceTypes: false,
        removeAdditional: false,
      };
      engine = draft === '2020-12' ? new Ajv2020(options) : draft === '2019-09' ? new Ajv2019(options) : new Ajv(options);
      addFormats(engine);
      this.engines.set(draft, engine);
    }
    return engine;
  }
}

/** One thing wrong with a call's arguments: where (below `arguments`), and what. */
export interface ArgumentProblem {
  path: (string | number)[];
  message: string;
}

/** One problem per Ajv error, deduplicated, in Ajv's order, at most MAX_ISSUES and a count of the rest. */
function problemsOf(errors: readonly ErrorObject[], data: unknown): ArgumentProblem[] {
  const problems = new Map<string, ArgumentProblem>();
  const add = (path: (string | number)[], message: string): void => {
    const key = JSON.stringify([path, message]);
    if (!problems.has(key)) problems.set(key, { path, message });
  };
  for (const error of errors) {
    const path = pathOf(error.instancePath, data);
    if (error.keyword === 'required') {
      add([...path, String(error.params.missingProperty)], 'required');
    } else if (error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties') {
      add([...path, String(error.params.additionalProperty ?? error.params.unevaluatedProperty)], 'unknown field');
    } else if (error.keyword === 'enum' && Array.isArray(error.params.allowedValues)) {
      add(path, `must be one of ${error.params.allowedValues.map((value: unknown) => JSON.stringify(value)).join(', ')}`);
    } else {
      add(path, error.message ?? error.keyword);
    }
  }
  const all = [...problems.values()];
  return all.length > MAX_ISSUES ? [...all.slice(0, MAX_ISSUES), { path: [], message: `… and ${all.length - MAX_ISSUES} more problems` }] : all;
}

/** `arguments.path: problem` lines. */
function linesOf(problems: readonly ArgumentProblem[]): string[] {
  return problems.map((problem) => `${formatPath(['arguments', ...problem.path])}: ${problem.message}`);
}

/** `['edits', 0, 'oldText']` from `/edits/0/oldText`: a segment is an index where the data there is a list. */
function pathOf(pointer: string, data: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  if (pointer === '') return path;
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      path.push(Number(key));
      node = node[Number(key)];
    } else {
      path.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}
