import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';

/*
 * YAML files checked by a zod schema (the policy file, the MCP gateway config): every problem is
 * reported as `file:line: field: message`, all of them at once, in file order. Schemas built for
 * this use strict objects (a misspelt key is an error) and `expecting(...)` for their messages.
 */

/** One problem in a file: the field (`rules[1].review.quorum`), its line when known, and what is wrong. */
export interface FileIssue {
  path: string;
  line?: number;
  message: string;
}

export type IssuePath = readonly PropertyKey[];

/** A problem found by code after the schema passed, at a path in the parsed document. */
export interface RawIssue {
  path: IssuePath;
  message: string;
}

/** Builds the error a file's loader throws (PolicyFileError, GatewayConfigError). */
export type FileErrorFactory = (source: string, issues: FileIssue[]) => Error;

/** A file that cannot be used. The message lists every issue as `file:line: field: problem`. */
export abstract class YamlFileError extends Error {
  abstract readonly code: string;

  constructor(
    readonly source: string,
    readonly issues: FileIssue[],
  ) {
    super(issues.map((issue) => formatIssue(source, issue)).join('\n'));
  }
}

function formatIssue(source: string, issue: FileIssue): string {
  const where = issue.line === undefined ? source : `${source}:${issue.line}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** The bytes of a file, or `fail` naming it with `cannot read <what>: <reason>`. */
export function readFileOrFail(path: string, what: string, fail: FileErrorFactory): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw fail(path, [{ path: '', message: `cannot read ${what}: ${(err as Error).message}` }]);
  }
}

/**
 * A schema-level message for a value of the wrong type or outside an enum that still says
 * `required` when the key is absent. Other issues (unknown keys, bad record keys) keep theirs.
 */
export function expecting(description: string) {
  return {
    error: (issue: { code?: string; input?: unknown }) => {
      if (issue.code !== 'invalid_type' && issue.code !== 'invalid_value' && issue.code !== 'invalid_union') return undefined;
      return issue.input === undefined ? 'required' : `must be ${description}`;
    },
  };
}

/** A parsed YAML file that knows the line of every field, to check against a schema and report on. */
export class YamlFile {
  private constructor(
    readonly source: string,
    /** The document as plain JSON-like data, before any schema. */
    readonly data: unknown,
    private readonly yamlDoc: Document,
    private readonly lineCounter: LineCounter,
    private readonly fail: FileErrorFactory,
  ) {}

  /** Parses YAML text (unique keys, at most 100 aliases); syntax errors throw `fail` with their lines. */
  static parse(text: string, source: string, fail: FileErrorFactory): YamlFile {
    const lineCounter = new LineCounter();
    const yamlDoc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (yamlDoc.errors.length > 0) {
      throw fail(
        source,
        yamlDoc.errors.map((err) => ({ path: '', line: lineCounter.linePos(err.pos[0]).line, message: `YAML: ${err.message}` })),
      );
    }
    let data: unknown;
    try {
      data = yamlDoc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw fail(source, [{ path: '', message: `YAML: ${(err as Error).message}` }]);
    }
    return new YamlFile(source, data, yamlDoc, lineCounter, fail);
  }

  /** The data parsed by `schema`, or `fail` listing every issue with its line. */
  check<S extends z.ZodType>(schema: S): z.output<S> {
    const parsed = schema.safeParse(this.data, { error: fileErrorMap });
    if (!parsed.success) this.reject(parsed.error.issues.flatMap(splitUnknownKeys));
    return parsed.data as z.output<S>;
  }

  /** Throws `fail` with these issues located and in file order; returns when there are none. */
  reject(issues: readonly RawIssue[]): void {
    if (issues.length === 0) return;
    throw this.fail(this.source, sortByLine(issues.map((issue) => this.locate(issue))));
  }

  /** Finds the line of an issue's path in the YAML, walking up to the nearest node that exists. */
  private locate(issue: RawIssue): FileIssue {
    let node: unknown = this.yamlDoc.contents;
    let lineNode: Node | null = this.yamlDoc.contents;
    let depth = 0;
    for (const segment of issue.path) {
      if (isAlias(node)) node = node.resolve(this.yamlDoc);
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        // The key's line, not the value's: for a block mapping the value starts on the next line.
        lineNode = isScalar(pair.key) ? pair.key : lineNode;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (!item) break;
        node = item;
        lineNode = isScalar(item) || isMap(item) || isSeq(item) || isAlias(item) ? item : lineNode;
      } else {
        break;
      }
      depth++;
    }
    // A list written as a single string (`action: s3.copyObject`) is `action[0]` to zod; show `action`.
    const rest = issue.path.slice(depth);
    const shown = isScalar(node) && rest.length === 1 && rest[0] === 0 ? issue.path.slice(0, depth) : issue.path;
    const offset = lineNode?.range?.[0];
    return {
      path: formatPath(shown),
      ...(offset === undefined ? {} : { line: this.lineCounter.linePos(offset).line }),
      message: issue.message,
    };
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** Plain-language messages for the issues a schema does not word itself. */
const fileErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      if (issue.input === undefined) return 'required';
      return `must be ${issue.values.length === 1 ? String(issue.values[0]) : `one of ${issue.values.join(', ')}`}`;
    case 'invalid_key':
      // A record key failed its own schema (e.g. an identity id with a space): report that schema's message.
      return issue.issues[0]?.message;
    case 'unrecognized_keys': {
      const shape = (issue.inst as { shape?: unknown } | undefined)?.shape;
      const known = shape !== null && typeof shape === 'object' ? Object.keys(shape) : [];
      return known.length > 0 ? `unknown field (expected one of: ${known.join(', ')})` : 'unknown field';
    }
    default:
      return undefined;
  }
};

/** zod reports all unknown keys of one object as one issue; report each at its own key (and line). */
function splitUnknownKeys(issue: z.core.$ZodIssue): RawIssue[] {
  if (issue.code !== 'unrecognized_keys') return [{ path: issue.path, message: issue.message }];
  return issue.keys.map((key) => ({ path: [...issue.path, key], message: issue.message }));
}

/** `rules[1].review.quorum`; keys that are not plain words are quoted: `params["tags.env"]`. */
export function formatPath(path: IssuePath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(segment))) text += text === '' ? String(segment) : `.${String(segment)}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

function sortByLine(issues: FileIssue[]): FileIssue[] {
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.order - b.order)
    .map(({ issue }) => issue);
}
