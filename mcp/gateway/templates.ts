import type { RawIssue } from '../../config/yaml-file';
import type { IamPolicyDocument } from '../../operations/types';
import type { GatewayFile, StatementTemplate } from './config';

/*
 * A tool's session policy, as the gateway config declares it: resources are ARN templates that
 * name arguments (`arn:aws:s3:::reports/{key}`). The rules are the operations' rules: no wildcard
 * may come from an argument. At load, a template is refused where an argument could choose what a
 * wildcard matches or the whole resource; at a call, a value that could widen the grant is refused.
 */

/** `{key}` or `{target.bucket}`: an argument, by dotted path. */
const PLACEHOLDER = /\{([^{}]*)\}/g;
const ARGUMENT_PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
/** What an argument's value may not hold: IAM wildcards, policy variables, braces, control characters. */
const UNSAFE_VALUE = /[*?${}\p{Cc}]/u;
const MAX_VALUE_CHARS = 1024;

/** A call whose arguments cannot fill its tool's session policy: refused before any credential exists. */
export class SessionPolicyTemplateError extends Error {
  override readonly name = 'SessionPolicyTemplateError';

  constructor(
    /** Below `arguments`. */
    readonly path: string[],
    message: string,
  ) {
    super(`${['arguments', ...path].join('.')}: ${message}`);
  }
}

type ServerSpec = GatewayFile['servers'][string];

/** What is wrong with the server's session policy templates, at their paths in the file. */
export function templateIssues(spec: ServerSpec, at: readonly PropertyKey[]): RawIssue[] {
  const issues: RawIssue[] = [];
  const perCall = spec.transport === 'stdio' && spec.credentials === 'aws-one-shot';
  for (const [tool, settings] of Object.entries(spec.tools ?? {})) {
    const toolAt = [...at, 'tools', tool];
    if (!settings.sessionPolicy) continue;
    if (!perCall) {
      issues.push({ path: [...toolAt, 'sessionPolicy'], message: 'is used only by a stdio server with credentials: aws-one-shot' });
      continue;
    }
    settings.sessionPolicy.forEach((statement, index) =>
      statement.resources.forEach((resource, r) => {
        const problem = resourceProblem(resource);
        if (problem) issues.push({ path: [...toolAt, 'sessionPolicy', index, 'resources', r], message: problem });
      }),
    );
  }
  return issues;
}

/** Why a resource template is unsafe, or undefined. */
function resourceProblem(resource: string): string | undefined {
  const literal = resource.replace(PLACEHOLDER, '');
  if (/[{}]/.test(literal)) return 'has an unmatched { or }: write an argument as {name}';
  const names = [...resource.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
  const bad = names.find((name) => !ARGUMENT_PATH.test(name));
  if (bad !== undefined) return `{${bad}} is not an argument name (letters, digits, _ and -, dotted for nested arguments)`;
  if (names.length === 0) return undefined;
  if (literal === '') return 'would be all argument: the agent would choose the whole resource';
  if (/[*?]\{|\}[*?]/.test(resource)) return 'has a wildcard next to an argument: the argument would choose what the wildcard matches';
  return undefined;
}

/** The session policy for one call: every `{path}` filled with its argument, checked. */
export function renderSessionPolicy(statements: readonly StatementTemplate[], args: Record<string, unknown>): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: statements.map((statement) => ({
      Effect: 'Allow' as const,
      Action: [...statement.actions],
      Resource: statement.resources.map((resource) => resource.replace(PLACEHOLDER, (_match, name: string) => argumentValue(args, name.split('.')))),
    })),
  };
}

function argumentValue(args: Record<string, unknown>, path: string[]): string {
  let value: unknown = args;
  for (const segment of path) {
    value =
      value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, segment)
        ? (value as Record<string, unknown>)[segment]
        : undefined;
  }
  if (value === undefined) throw new SessionPolicyTemplateError(path, 'required: the session policy names it');
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value !== 'string') throw new SessionPolicyTemplateError(path, 'must be a string: the session policy names it');
  if (value === '') throw new SessionPolicyTemplateError(path, 'must not be empty: the session policy names it');
  if (value.length > MAX_VALUE_CHARS) throw new SessionPolicyTemplateError(path, `must be at most ${MAX_VALUE_CHARS} characters: the session policy names it`);
  if (UNSAFE_VALUE.test(value)) {
    throw new SessionPolicyTemplateError(
      path,
      'must not contain *, ?, $, { or } or control characters: the session policy names it, and they would widen the grant',
    );
  }
  return value;
}
