import { statementsOf, type BucketPolicyInput, type BucketStatementInput } from './bucket-policy-document';

/*
 * Whether a bucket policy grants public access, after S3's own rule ("The meaning of public" in
 * the S3 User Guide, which BlockPublicPolicy applies): an Allow to every principal is public
 * unless a condition pins it to fixed values of a key that names who or where the caller is.
 * This reading errs towards public: it calls a statement public when it cannot tell. Shared by
 * s3.putBucketPolicy and aws.call's S3 preview hook.
 */

/**
 * Condition keys (lowercase; IAM compares them ignoring case) whose fixed value limits an Allow to
 * a known principal, account, organization, network or resource, per S3's rule.
 */
const RESTRICTING_KEYS = new Set([
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceowner',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:userid',
  's3:dataaccesspointaccount',
  's3:dataaccesspointarn',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
]);

/**
 * Operators that hold only for the values listed. Not their `…IfExists` forms (they hold when the
 * key is absent), not the negations, and not the set operators (`ForAllValues:` holds when the key
 * is absent): none of those limits who may call.
 */
const RESTRICTING_OPERATORS = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike']);

/** A fixed value: no wildcard and no policy variable (S3's rule counts neither as fixed). */
function isFixed(value: string | number | boolean): boolean {
  const text = String(value);
  return text !== '' && !/[*?]|\$\{/.test(text);
}

/**
 * A CIDR narrower than a large share of the internet. S3 counts a set of `aws:SourceIp` CIDRs as
 * limiting; here an IPv4 block wider than /8 or an IPv6 block wider than /32 (let alone
 * 0.0.0.0/0) still counts as the public.
 */
function isNarrowCidr(value: string | number | boolean): boolean {
  const match = /^([0-9a-fA-F:.]+)(?:\/(\d{1,3}))?$/.exec(String(value));
  if (!match?.[1]) return false;
  const ipv6 = match[1].includes(':');
  const prefix = match[2] === undefined ? (ipv6 ? 128 : 32) : Number(match[2]);
  return prefix >= (ipv6 ? 32 : 8) && prefix <= (ipv6 ? 128 : 32);
}

function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Whether one of the statement's conditions (all of which must hold) limits it to fixed callers. */
function restrictedByCondition(statement: BucketStatementInput): boolean {
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(block)) {
      const values = asList(value);
      if (values.length === 0) continue;
      const name = key.toLowerCase();
      if (name === 'aws:sourceip' && operator === 'IpAddress' && values.every(isNarrowCidr)) return true;
      if (RESTRICTING_KEYS.has(name) && RESTRICTING_OPERATORS.has(operator) && values.every(isFixed)) return true;
    }
  }
  return false;
}

/** `"*"`, or a principal map with `*` in any value (`{"AWS": "*"}`, `{"AWS": ["*"]}`): every principal. */
function namesEveryone(principal: BucketStatementInput['Principal']): boolean {
  if (principal === undefined) return false;
  if (typeof principal === 'string') return principal.includes('*');
  return Object.values(principal).some((values) => values !== undefined && asList(values).some((value) => value.includes('*')));
}

/**
 * Whether the statement grants public access: an Allow to every principal (`*`, `{"AWS": "*"}`,
 * or NotPrincipal, which allows everyone but those named) with no condition that pins it to fixed
 * values of a key in `RESTRICTING_KEYS` (or to narrow `aws:SourceIp` blocks).
 */
export function statementGrantsPublicAccess(statement: BucketStatementInput): boolean {
  if (statement.Effect !== 'Allow') return false;
  const everyone = statement.NotPrincipal !== undefined || namesEveryone(statement.Principal);
  return everyone && !restrictedByCondition(statement);
}

/** Whether any statement of the policy grants public access (Deny statements are not weighed against it). */
export function grantsPublicAccess(document: BucketPolicyInput): boolean {
  return statementsOf(document).some(statementGrantsPublicAccess);
}
