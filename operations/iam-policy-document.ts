import { z } from 'zod';

/*
 * IAM identity-policy documents: the schema requesters must follow, a lenient reader for documents
 * AWS hands back, one canonical shape for their statements, and one line for people per statement.
 * Shared by the iam.* operations and aws.call's IAM preview hook.
 */

/** An action or service wildcard: `*`, `s3:GetObject`, `s3:Get*`, `ec2:Describe?pcs`. */
const ACTION_PATTERN = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;
/** `*`, or an ARN with its six colon-separated parts (the last may hold more colons and slashes). */
const RESOURCE_PATTERN = /^(\*|arn:[^:]*:[^:]*:[^:]*:[^:]*:.+)$/s;
const CONDITION_OPERATOR_PATTERN = /^(ForAnyValue:|ForAllValues:)?[A-Za-z]+$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function oneOrMore<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item).min(1, 'must list at least one value')]);
}

const action = z.string().regex(ACTION_PATTERN, 'action must be "*" or "<service>:<action>", e.g. "s3:GetObject" (wildcards * and ? allowed)');
const resource = z
  .string()
  .regex(RESOURCE_PATTERN, 'resource must be "*" or an ARN, e.g. "arn:aws:s3:::bucket/key"')
  .refine((value) => !CONTROL_CHARACTERS.test(value), 'resource must not contain control characters');
const conditionScalar = z.union([z.string(), z.number(), z.boolean()]);
const conditionBlock = z.record(
  z.string().regex(CONDITION_OPERATOR_PATTERN, 'condition operator must be a name such as StringEquals or ForAnyValue:StringLike'),
  z.record(
    z
      .string()
      .min(1, 'condition key must not be empty')
      .refine((key) => !CONTROL_CHARACTERS.test(key), 'condition key must not contain control characters'),
    oneOrMore(conditionScalar),
  ),
);

/** One statement of an identity policy: no Principal (that belongs to resource policies). */
export const policyStatement = z
  .strictObject({
    Sid: z
      .string()
      .regex(/^[A-Za-z0-9]+$/, 'Sid may contain only ASCII letters and digits')
      .optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: oneOrMore(action).optional(),
    NotAction: oneOrMore(action).optional(),
    Resource: oneOrMore(resource).optional(),
    NotResource: oneOrMore(resource).optional(),
    Condition: conditionBlock.optional(),
  })
  .superRefine((statement, ctx) => {
    if ((statement.Action === undefined) === (statement.NotAction === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'statement must have exactly one of Action and NotAction', path: ['Action'] });
    }
    if ((statement.Resource === undefined) === (statement.NotResource === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'statement must have exactly one of Resource and NotResource', path: ['Resource'] });
    }
  });

/** An IAM identity-policy document as a requester writes it (policy language version 2012-10-17). */
export const policyDocument = z
  .strictObject({
    // 2008-10-17 treats `${…}` literally; one version keeps what reviewers read equal to what IAM evaluates.
    Version: z.literal('2012-10-17', { error: 'Version must be "2012-10-17"' }),
    Id: z.string().optional(),
    Statement: z.array(policyStatement).min(1, 'Statement must list at least one statement'),
  })
  .refine(
    (document) => {
      const sids = document.Statement.flatMap((statement) => (statement.Sid === undefined ? [] : [statement.Sid]));
      return new Set(sids).size === sids.length;
    },
    { error: 'each Sid must be unique within the policy', path: ['Statement'] },
  );

export type PolicyDocument = z.infer<typeof policyDocument>;

type ConditionValue = string | number | boolean | (string | number | boolean)[];

/** A statement as found in any policy document: the requester's, or one read back from AWS. */
export interface PolicyStatementInput {
  Sid?: string | undefined;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[] | undefined;
  NotAction?: string | string[] | undefined;
  Resource?: string | string[] | undefined;
  NotResource?: string | string[] | undefined;
  Condition?: Record<string, Record<string, ConditionValue>> | undefined;
}

/** A policy document in any accepted shape (a single statement object is allowed, as IAM allows). */
export interface PolicyInput {
  Version?: string | undefined;
  Statement: PolicyStatementInput | PolicyStatementInput[];
}

/** A document AWS returned that is not a policy this code understands; retrying reads the same text. */
export class PolicyDocumentError extends Error {
  override readonly name = 'UnreadablePolicyDocument';
  /** Classified like an AWS client error (activities/aws-errors.ts): not retryable. */
  readonly $fault = 'client';
}

const stringList = z.union([z.string(), z.array(z.string())]);
const looseStatement = z.object({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Action: stringList.optional(),
  NotAction: stringList.optional(),
  Resource: stringList.optional(),
  NotResource: stringList.optional(),
  Condition: z.record(z.string(), z.record(z.string(), z.union([conditionScalar, z.array(conditionScalar)]))).optional(),
});
const looseDocument = z.object({ Version: z.string().optional(), Statement: z.union([looseStatement, z.array(looseStatement)]) });

/** The JSON value of a policy document as IAM returns it: URL-encoded per RFC 3986 on AWS, plain JSON on some emulators. */
export function parsePolicyJson(text: string): unknown {
  try {
    const trimmed = text.trim();
    return JSON.parse(trimmed.startsWith('{') ? trimmed : decodeURIComponent(trimmed));
  } catch (err) {
    throw new PolicyDocumentError(`policy document is neither JSON nor URL-encoded JSON: ${(err as Error).message}`);
  }
}

/**
 * Reads a policy document returned by IAM (GetRolePolicy, GetPolicyVersion): URL-encoded per
 * RFC 3986 on AWS, plain JSON on some emulators. Unknown elements (e.g. Principal) are ignored.
 */
export function readPolicyDocument(text: string): PolicyInput {
  const parsed = looseDocument.safeParse(parsePolicyJson(text));
  if (!parsed.success) {
    throw new PolicyDocumentError(
      `policy document has an unexpected shape: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** `Action`/`Resource` (only these) or `NotAction`/`NotResource` (everything except these). */
export interface PatternSet {
  mode: 'only' | 'except';
  patterns: string[];
}

/** One condition test: operator, key and the values it compares with. */
export interface ConditionEntry {
  operator: string;
  key: string;
  values: string[];
}

/** A statement in one canonical shape: lists sorted and deduplicated, condition values as strings. */
export interface NormalizedStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: PatternSet;
  resources: PatternSet;
  conditions: ConditionEntry[];
  /** 1-based position in its document, for labels of statements without a Sid. */
  position: number;
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Sorted, without duplicates; `caseInsensitive` compares (and dedupes) ignoring case, keeping the first spelling. */
function sortedUnique(values: string[], caseInsensitive: boolean): string[] {
  const byKey = new Map<string, string>();
  for (const value of values) {
    const key = caseInsensitive ? value.toLowerCase() : value;
    if (!byKey.has(key)) byKey.set(key, value);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
}

function patternSet(only: string | string[] | undefined, except: string | string[] | undefined, caseInsensitive: boolean): PatternSet {
  // A statement with neither element (only possible in a document read back) grants nothing.
  if (only === undefined && except !== undefined) return { mode: 'except', patterns: sortedUnique(asList(except), caseInsensitive) };
  return { mode: 'only', patterns: sortedUnique(asList(only), caseInsensitive) };
}

function normalizeStatement(statement: PolicyStatementInput, position: number): NormalizedStatement {
  const conditions: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(block)) {
      conditions.push({ operator, key, values: sortedUnique(asList(value).map(String), false) });
    }
  }
  conditions.sort((a, b) => (conditionText(a) < conditionText(b) ? -1 : conditionText(a) > conditionText(b) ? 1 : 0));
  return {
    ...(statement.Sid !== undefined && statement.Sid !== '' ? { sid: statement.Sid } : {}),
    effect: statement.Effect,
    actions: patternSet(statement.Action, statement.NotAction, true),
    resources: patternSet(statement.Resource, statement.NotResource, false),
    conditions,
    position,
  };
}

/** The statements of a document in canonical form, in document order. */
export function normalizePolicy(document: PolicyInput): NormalizedStatement[] {
  return asList(document.Statement).map((statement, index) => normalizeStatement(statement, index + 1));
}

/** `StringEquals aws:SourceVpc = ["vpc-1"]`: one condition test as text, for sorting and for diffs. */
export function conditionText(entry: ConditionEntry): string {
  return `${entry.operator} ${entry.key} = ${JSON.stringify(entry.values)}`;
}

// --- describing statements -----------------------------------------------------------------

/** `statement "ReadReports"` or `statement #2`. */
export function statementLabel(statement: NormalizedStatement): string {
  return statement.sid !== undefined ? `statement "${statement.sid}"` : `statement #${statement.position}`;
}

/** At most `max` values, comma-separated, then how many more. */
export function listShort(values: string[], max = 6): string {
  if (values.length <= max) return values.join(', ');
  return `${values.slice(0, max).join(', ')} … (+${values.length - max} more)`;
}

/** The actions a statement names, or `every action except …`. */
export function describeActions(set: PatternSet): string {
  return set.mode === 'only' ? listShort(set.patterns) : `every action except ${listShort(set.patterns)}`;
}

/** The resources a statement names, or `every resource except …`. */
export function describeResources(set: PatternSet): string {
  return set.mode === 'only' ? listShort(set.patterns) : `every resource except ${listShort(set.patterns)}`;
}

/** One line for people: `Allow s3:GetObject, s3:PutObject on arn:aws:s3:::b/* (1 condition)`. */
export function describeStatement(statement: NormalizedStatement): string {
  const n = statement.conditions.length;
  const conditions = n === 0 ? '' : ` (${n} ${n === 1 ? 'condition' : 'conditions'})`;
  return `${statement.effect} ${describeActions(statement.actions)} on ${describeResources(statement.resources)}${conditions}`;
}
