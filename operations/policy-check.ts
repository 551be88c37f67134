import type { IamPolicyDocument } from './types';
import { MAX_SESSION_POLICY_CHARS, sessionPolicyText } from './types';

/** In an IAM action or resource these are wildcards or policy variables, and IAM cannot escape them. */
const WILDCARD = /[*?]|\$\{/;

/** Whether an IAM action or resource pattern holds a wildcard (`*`, `?`) or a policy variable (`${…}`). */
export function hasIamWildcard(pattern: string): boolean {
  return WILDCARD.test(pattern);
}

/** Every wildcard-holding action or resource of the policy's Allow statements. */
function allowedWildcards(policy: IamPolicyDocument): Set<string> {
  const found = new Set<string>();
  for (const statement of policy.Statement) {
    if (statement.Effect !== 'Allow') continue;
    for (const entry of [...statement.Action, ...statement.Resource]) if (hasIamWildcard(entry)) found.add(entry);
  }
  return found;
}

/**
 * The wildcard entries of `hostile` (built from an input an agent could send) that the policy
 * built from the plain example does not have: wildcards that came from input. Empty is good.
 */
export function inputWildcards(plain: IamPolicyDocument, hostile: IamPolicyDocument): string[] {
  const own = allowedWildcards(plain);
  return [...allowedWildcards(hostile)].filter((entry) => !own.has(entry));
}

/**
 * What is wrong with a session (or preview) policy an operation built, or undefined: an Allow
 * statement names its actions exactly (no wildcard), has no policy variable, no NotAction or
 * NotResource, and the whole document fits STS's limit. A resource may hold a wildcard the
 * operation wrote itself (`instance/*` for instances a launch creates, `*` for Describe calls
 * that IAM does not scope): whether one came from input is `inputWildcards`' question. Deny
 * statements may be as wide as they like: they only take away.
 */
export function policyProblem(policy: unknown): string | undefined {
  if (!policy || typeof policy !== 'object') return 'is not a policy document';
  const document = policy as Partial<IamPolicyDocument>;
  if (document.Version !== '2012-10-17') return 'has no Version "2012-10-17"';
  if (!Array.isArray(document.Statement) || document.Statement.length === 0) return 'has no Statement';
  for (const [index, statement] of document.Statement.entries()) {
    const where = `Statement[${index}]`;
    if (!statement || typeof statement !== 'object') return `${where} is not an object`;
    if ('NotAction' in statement || 'NotResource' in statement) return `${where} uses NotAction or NotResource`;
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return `${where} has no Effect Allow or Deny`;
    if (!isStringList(statement.Action) || !isStringList(statement.Resource)) return `${where} needs Action and Resource as lists of strings`;
    if (statement.Effect === 'Deny') continue;
    const wideAction = statement.Action.find(hasIamWildcard);
    if (wideAction !== undefined) return `${where} allows a wildcard action: ${JSON.stringify(wideAction)}`;
    const variable = statement.Resource.find((entry) => entry.includes('${'));
    if (variable !== undefined) return `${where} allows a policy variable: ${JSON.stringify(variable)}`;
  }
  const length = sessionPolicyText(document as IamPolicyDocument).length;
  if (length > MAX_SESSION_POLICY_CHARS) return `is ${length} characters, over STS's ${MAX_SESSION_POLICY_CHARS}`;
  return undefined;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'string' && entry.length > 0);
}

/** What an input may try to smuggle into an ARN. */
const HOSTILE_STRINGS = ['*', 'a*', '?', '${aws:username}'];

/**
 * The example with each string in it, one at a time, replaced by each hostile string: what an
 * agent could send. An operation whose schema accepts one of them must build from it no
 * wildcard the example's own policy lacks (`inputWildcards`).
 */
export function hostileVariants(example: unknown): unknown[] {
  const variants: unknown[] = [];
  const walk = (value: unknown, replace: (next: unknown) => unknown): void => {
    if (typeof value === 'string') {
      for (const hostile of HOSTILE_STRINGS) variants.push(replace(hostile));
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, (next) => replace(value.map((other, at) => (at === index ? next : other)))));
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, (next) => replace({ ...value, [key]: next }));
    }
  };
  walk(example, (next) => next);
  return variants;
}
