import { z } from 'zod';
import { jsonDigest, sha256 } from './preconditions';

/*
 * S3 bucket policies (resource policies: each statement names a Principal): the schema requesters
 * must follow, a lenient reader for the policy S3 hands back, one canonical shape for comparing
 * them, and one line for people per statement. Shared by s3.putBucketPolicy and aws.call's S3
 * preview hook, so it sits at the root of operations/.
 */

/** S3 quota: a bucket policy is at most 20 KB. */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
/** An action or service wildcard: `*`, `s3:GetObject`, `s3:Get*`. */
const ACTION_PATTERN = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;
const CONDITION_OPERATOR_PATTERN = /^(ForAnyValue:|ForAllValues:)?[A-Za-z]+$/;

function oneOrMore<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item).min(1, 'must list at least one value')]);
}

/** Text that appears in notes and diffs: no control characters, which would make them ambiguous. */
const plainText = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), `${what} must not contain control characters`);

const action = z.string().regex(ACTION_PATTERN, 'action must be "*" or "<service>:<action>", e.g. "s3:GetObject" (wildcards * and ? allowed)');
const principalValues = oneOrMore(plainText('principal'));
const principal = z.union([
  z.literal('*'),
  z
    .strictObject({
      AWS: principalValues.optional(),
      Service: principalValues.optional(),
      CanonicalUser: principalValues.optional(),
      Federated: principalValues.optional(),
    })
    .refine((value) => Object.values(value).some((entry) => entry !== undefined), 'principal must name at least one of AWS, Service, CanonicalUser, Federated'),
]);
const conditionScalar = z.union([z.string(), z.number(), z.boolean()]);
const conditionBlock = z.record(
  z.string().regex(CONDITION_OPERATOR_PATTERN, 'condition operator must be a name such as StringEquals or ForAnyValue:StringLike'),
  z.record(plainText('condition key'), z.union([conditionScalar, z.array(conditionScalar)])),
);

/** One statement of a bucket policy as a requester writes it: a Principal (or NotPrincipal) is required. */
export const bucketPolicyStatement = z
  .strictObject({
    Sid: plainText('Sid').optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Principal: principal.optional(),
    NotPrincipal: principal.optional(),
    Action: oneOrMore(action).optional(),
    NotAction: oneOrMore(action).optional(),
    Resource: oneOrMore(plainText('resource')).optional(),
    NotResource: oneOrMore(plainText('resource')).optional(),
    Condition: conditionBlock.optional(),
  })
  .superRefine((statement, ctx) => {
    const exactlyOne = (a: keyof typeof statement, b: keyof typeof statement) => {
      if ((statement[a] === undefined) === (statement[b] === undefined)) {
        ctx.addIssue({ code: 'custom', message: `statement must have exactly one of ${a} and ${b}`, path: [a] });
      }
    };
    exactlyOne('Principal', 'NotPrincipal');
    exactlyOne('Action', 'NotAction');
    exactlyOne('Resource', 'NotResource');
  });

/** A bucket policy document as a requester writes it (policy language version 2012-10-17), at most 20 KB as JSON. */
export const bucketPolicyDocument = z
  .strictObject(
    {
      // 2008-10-17 treats `${…}` literally; one version keeps what reviewers read equal to what S3 evaluates.
      Version: z.literal('2012-10-17', { error: 'Version must be "2012-10-17"' }),
      Id: z.string().optional(),
      Statement: z.array(bucketPolicyStatement, { error: 'Statement must be a list of statements' }).min(1, 'Statement must list at least one statement'),
    },
    // Only for a value that is no object at all; unknown elements keep their own message.
    { error: (issue) => (issue.code === 'invalid_type' ? 'policy must be a JSON object with Version and Statement' : undefined) },
  )
  .refine(
    (document) => {
      const sids = document.Statement.flatMap((statement) => (statement.Sid === undefined ? [] : [statement.Sid]));
      return new Set(sids).size === sids.length;
    },
    { error: 'each Sid must be unique within the policy', path: ['Statement'] },
  )
  .refine((document) => Buffer.byteLength(JSON.stringify(document), 'utf8') <= MAX_BUCKET_POLICY_BYTES, {
    error: `policy is too large: S3 allows ${MAX_BUCKET_POLICY_BYTES} bytes (20 KB) of JSON`,
  });

export type BucketPolicyDocument = z.infer<typeof bucketPolicyDocument>;

type ConditionValue = string | number | boolean | (string | number | boolean)[];
type PrincipalInput = string | { [type: string]: string | string[] | undefined };

/** A statement as found in any bucket policy: the requester's, or one read back from S3. */
export interface BucketStatementInput {
  Sid?: string | undefined;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalInput | undefined;
  NotPrincipal?: PrincipalInput | undefined;
  Action?: string | string[] | undefined;
  NotAction?: string | string[] | undefined;
  Resource?: string | string[] | undefined;
  NotResource?: string | string[] | undefined;
  Condition?: Record<string, Record<string, ConditionValue>> | undefined;
}

/** A bucket policy in any shape S3 accepts (a single statement object is allowed, as S3 allows). */
export interface BucketPolicyInput {
  Version?: string | undefined;
  Id?: string | undefined;
  Statement: BucketStatementInput | BucketStatementInput[];
}

const stringList = z.union([z.string(), z.array(z.string())]);
const loosePrincipal = z.union([z.string(), z.record(z.string(), stringList)]);
const looseStatement = z.object({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Principal: loosePrincipal.optional(),
  NotPrincipal: loosePrincipal.optional(),
  Action: stringList.optional(),
  NotAction: stringList.optional(),
  Resource: stringList.optional(),
  NotResource: stringList.optional(),
  Condition: z.record(z.string(), z.record(z.string(), z.union([conditionScalar, z.array(conditionScalar)]))).optional(),
});
const looseDocument = z.object({
  Version: z.string().optional(),
  Id: z.string().optional(),
  Statement: z.union([looseStatement, z.array(looseStatement)]),
});

/** The bucket policy S3 holds, as the preview and the execution read it. */
export type StoredBucketPolicy =
  /** Read as a policy document; `sha256` is the digest of its JSON value (jsonDigest). */
  | { readable: true; document: BucketPolicyInput; sha256: string }
  /** Not a policy this code understands; `sha256` still binds exactly what is stored. */
  | { readable: false; problem: string; sha256: string };

/**
 * Reads a bucket policy as GetBucketPolicy returns it (JSON text). The digest covers the whole
 * document as stored (key order and spacing aside), elements the comparison does not read
 * included; text that is not JSON is digested as it is, so either way a change is seen.
 */
export function readBucketPolicy(text: string): StoredBucketPolicy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { readable: false, problem: `it is not JSON (${(err as Error).message})`, sha256: sha256(text) };
  }
  const parsed = looseDocument.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'policy'}: ${issue.message}`);
    return { readable: false, problem: `it has an unexpected shape (${issues.join('; ')})`, sha256: jsonDigest(value) };
  }
  return { readable: true, document: parsed.data, sha256: jsonDigest(value) };
}

/** The statements of a document, in document order. */
export function statementsOf(document: BucketPolicyInput): BucketStatementInput[] {
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

// --- canonical form ------------------------------------------------------------------------

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** S3 may write an account principal `123456789012` back as `arn:aws:iam::123456789012:root`: both mean the account. */
function accountPrincipal(value: string): string {
  return /^arn:[a-z-]+:iam::(\d{12}):root$/.exec(value)?.[1] ?? value;
}

function canonicalPrincipal(principal: PrincipalInput | undefined): unknown {
  if (principal === undefined) return null;
  if (typeof principal === 'string') return principal;
  const entries = Object.entries(principal)
    .filter(([, values]) => values !== undefined)
    .map(([type, values]) => [type, sortedUnique(asList(values).map((value) => (type === 'AWS' ? accountPrincipal(value) : value)))] as const);
  return Object.fromEntries(entries);
}

/**
 * What a statement means, without its Sid and without spelling differences IAM ignores: one value
 * or a list of one, list order and duplicates, the case of actions and condition keys.
 */
function canonicalContent(statement: BucketStatementInput): unknown {
  const conditions = Object.entries(statement.Condition ?? {}).flatMap(([operator, block]) =>
    Object.entries(block).map(([key, value]) => [operator, key.toLowerCase(), sortedUnique(asList(value).map(String))]),
  );
  conditions.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
  const patterns = (value: string | string[] | undefined, lower: boolean) =>
    value === undefined ? null : sortedUnique(asList(value).map((p) => (lower ? p.toLowerCase() : p)));
  return {
    effect: statement.Effect,
    principal: canonicalPrincipal(statement.Principal),
    notPrincipal: canonicalPrincipal(statement.NotPrincipal),
    action: patterns(statement.Action, true),
    notAction: patterns(statement.NotAction, true),
    resource: patterns(statement.Resource, false),
    notResource: patterns(statement.NotResource, false),
    conditions,
  };
}

/** A key equal for two statements exactly when they mean the same (Sid aside). */
export function statementContentKey(statement: BucketStatementInput): string {
  return JSON.stringify(canonicalContent(statement));
}

/**
 * A digest equal for two documents exactly when they are the same policy: same Version, Id and
 * statements (Sids included) in any order, whatever their spelling (see `canonicalContent`).
 */
export function canonicalPolicyDigest(document: BucketPolicyInput): string {
  const statements = statementsOf(document)
    .map((statement) => JSON.stringify([statement.Sid ?? null, canonicalContent(statement)]))
    .sort();
  return jsonDigest({ version: document.Version ?? null, id: document.Id ?? null, statements });
}

// --- describing statements -----------------------------------------------------------------

/** `statement "PublicRead"` or `statement #2` (1-based position in its document). */
export function statementLabel(statement: BucketStatementInput, position: number): string {
  return statement.Sid !== undefined && statement.Sid !== '' ? `statement "${statement.Sid}"` : `statement #${position}`;
}

/** At most `max` values, comma-separated, then how many more. */
function listShort(values: string[], max = 4): string {
  if (values.length <= max) return values.join(', ');
  return `${values.slice(0, max).join(', ')} … (+${values.length - max} more)`;
}

function describePrincipal(principal: PrincipalInput | undefined): string {
  if (principal === undefined) return 'no principal';
  if (typeof principal === 'string') return principal === '*' ? 'everyone (*)' : principal;
  const parts = Object.entries(principal)
    .filter(([, values]) => values !== undefined)
    .map(([type, values]) => `${type} ${listShort(asList(values))}`);
  return parts.join('; ');
}

/** One line for people: `Allow s3:GetObject on arn:aws:s3:::b/* for everyone (*) (1 condition)`. */
export function describeStatement(statement: BucketStatementInput): string {
  const actions = statement.NotAction !== undefined ? `every action except ${listShort(asList(statement.NotAction))}` : listShort(asList(statement.Action));
  const resources =
    statement.NotResource !== undefined ? `every resource except ${listShort(asList(statement.NotResource))}` : listShort(asList(statement.Resource));
  const who = statement.NotPrincipal !== undefined ? `everyone except ${describePrincipal(statement.NotPrincipal)}` : describePrincipal(statement.Principal);
  const n = Object.values(statement.Condition ?? {}).reduce((count, block) => count + Object.keys(block).length, 0);
  const conditions = n === 0 ? '' : ` (${n} ${n === 1 ? 'condition' : 'conditions'})`;
  return `${statement.Effect} ${actions} on ${resources} for ${who}${conditions}`;
}
