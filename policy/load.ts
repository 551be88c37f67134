import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { IDENTITY_CHANNELS, membersOfGroups } from './identities';
import { parseDuration } from './duration';
import { DEFAULT_REVIEW_TIMEOUT, policySchema, REQUESTER_GROUP_PREFIX, type LoadedPolicy, type PolicyDocument, type ReviewSpec } from './schema';

export type { LoadedPolicy } from './schema';

/** One problem in a policy file: the field (`rules[1].review.quorum`), its line when known, and what is wrong. */
export interface PolicyIssue {
  path: string;
  line?: number;
  message: string;
}

/** A policy file that cannot be used. The message lists every issue as `file:line: field: problem`. */
export class PolicyFileError extends Error {
  override name = 'PolicyFileError';
  readonly code = 'invalid_policy';

  constructor(
    readonly source: string,
    readonly issues: PolicyIssue[],
  ) {
    super(issues.map((issue) => formatIssue(source, issue)).join('\n'));
  }
}

function formatIssue(source: string, issue: PolicyIssue): string {
  const where = issue.line === undefined ? source : `${source}:${issue.line}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

type IssuePath = readonly PropertyKey[];
interface RawIssue {
  path: IssuePath;
  message: string;
}

/** Parses and checks policy text; `sourceName` names it in errors. The hash is of the UTF-8 bytes of `text`. */
export function parsePolicy(text: string, sourceName: string): LoadedPolicy {
  return parseBytes(Buffer.from(text, 'utf8'), text, sourceName);
}

/** Reads, parses and checks a policy file; throws PolicyFileError naming the line and field of each problem. */
export function loadPolicyFile(path: string): LoadedPolicy {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new PolicyFileError(path, [{ path: '', message: `cannot read policy file: ${(err as Error).message}` }]);
  }
  return parseBytes(bytes, bytes.toString('utf8'), path);
}

function parseBytes(bytes: Buffer, text: string, source: string): LoadedPolicy {
  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (yamlDoc.errors.length > 0) {
    throw new PolicyFileError(
      source,
      yamlDoc.errors.map((err) => ({ path: '', line: lineCounter.linePos(err.pos[0]).line, message: `YAML: ${err.message}` })),
    );
  }

  let data: unknown;
  try {
    data = yamlDoc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new PolicyFileError(source, [{ path: '', message: `YAML: ${(err as Error).message}` }]);
  }

  const parsed = policySchema.safeParse(data, { error: policyErrorMap });
  const raw = parsed.success ? crossCheck(parsed.data) : parsed.error.issues.flatMap(splitUnknownKeys);
  if (!parsed.success || raw.length > 0) {
    throw new PolicyFileError(source, sortByLine(raw.map((issue) => locate(issue, yamlDoc, lineCounter))));
  }

  return {
    document: deepFreeze(parsed.data),
    hash: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    source,
  };
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

/** Plain-language messages for the issues the schema does not word itself. */
const policyErrorMap: z.core.$ZodErrorMap = (issue) => {
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

/** Checks that need the whole document: references between sections, uniqueness, attainable quorums. */
function crossCheck(document: PolicyDocument): RawIssue[] {
  const issues: RawIssue[] = [];
  const groups = document.groups ?? {};
  const groupNames = Object.keys(groups);
  const hasGroup = (name: string): boolean => Object.hasOwn(groups, name);
  const knownGroups = groupNames.length > 0 ? `defined groups: ${groupNames.join(', ')}` : 'no groups are defined';

  const claimed = new Map<string, string>();
  for (const [id, channels] of Object.entries(document.identities ?? {})) {
    for (const channel of IDENTITY_CHANNELS) {
      const externalId = channels[channel];
      if (externalId === undefined) continue;
      // Two identities behind one Slack user would make a vote's author ambiguous.
      const key = `${channel}:${channel === 'slack' ? externalId : externalId.toLowerCase()}`;
      const owner = claimed.get(key);
      if (owner !== undefined) {
        issues.push({ path: ['identities', id, channel], message: `${externalId} is already the ${channel} id of ${owner}` });
      } else {
        claimed.set(key, id);
      }
    }
  }

  const checkGroups = (names: readonly string[], at: IssuePath): void => {
    names.forEach((group, i) => {
      if (!hasGroup(group)) issues.push({ path: [...at, i], message: `unknown group "${group}" (${knownGroups})` });
    });
  };

  /** Reminders and escalation must fall inside the review window, or they would never happen. */
  const checkTimers = (review: ReviewSpec, at: IssuePath): void => {
    const timeout = review.timeout ?? document.defaults?.review?.timeout ?? DEFAULT_REVIEW_TIMEOUT;
    const timeoutMs = parseDuration(timeout);
    const seen = new Set<number>();
    review.remindBefore?.forEach((before, i) => {
      const ms = parseDuration(before);
      if (ms >= timeoutMs) issues.push({ path: [...at, 'remindBefore', i], message: `must be shorter than the review timeout (${timeout})` });
      else if (seen.has(ms)) issues.push({ path: [...at, 'remindBefore', i], message: `duplicate reminder (${before})` });
      seen.add(ms);
    });
    if (review.escalation && parseDuration(review.escalation.after) >= timeoutMs) {
      issues.push({ path: [...at, 'escalation', 'after'], message: `must be shorter than the review timeout (${timeout})` });
    }
  };

  const checkReview = (review: ReviewSpec, at: IssuePath): void => {
    checkGroups(review.approvers, [...at, 'approvers']);
    if (review.escalation) checkGroups(review.escalation.approvers, [...at, 'escalation', 'approvers']);
    checkTimers(review, at);
    if (!review.approvers.every(hasGroup)) return;
    const quorum = review.quorum ?? 1;
    const pool = membersOfGroups(document, review.approvers).length;
    if (quorum > pool) {
      issues.push({
        path: review.quorum === undefined ? [...at, 'approvers'] : [...at, 'quorum'],
        message: `quorum ${quorum} is more than the ${pool} distinct member${pool === 1 ? '' : 's'} of ${review.approvers.join(', ')}`,
      });
    }
  };

  const firstUse = new Map<string, number>();
  document.rules.forEach((rule, i) => {
    const first = firstUse.get(rule.id);
    if (first !== undefined) issues.push({ path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}" (also rules[${first}])` });
    else firstUse.set(rule.id, i);

    rule.match.requester?.forEach((entry, j) => {
      if (!entry.startsWith(REQUESTER_GROUP_PREFIX)) return;
      const group = entry.slice(REQUESTER_GROUP_PREFIX.length);
      if (!hasGroup(group)) issues.push({ path: ['rules', i, 'match', 'requester', j], message: `unknown group "${group}" (${knownGroups})` });
    });

    if (rule.review) checkReview(rule.review, ['rules', i, 'review']);
  });
  if (document.default?.review) checkReview(document.default.review, ['default', 'review']);
  return issues;
}

/** Finds the line of an issue's path in the YAML, walking up to the nearest node that exists. */
function locate(issue: RawIssue, yamlDoc: Document, lineCounter: LineCounter): PolicyIssue {
  let node: unknown = yamlDoc.contents;
  let lineNode: Node | null = yamlDoc.contents;
  let depth = 0;
  for (const segment of issue.path) {
    if (isAlias(node)) node = node.resolve(yamlDoc);
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
    ...(offset === undefined ? {} : { line: lineCounter.linePos(offset).line }),
    message: issue.message,
  };
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

function sortByLine(issues: PolicyIssue[]): PolicyIssue[] {
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.order - b.order)
    .map(({ issue }) => issue);
}

// The document is shared by every evaluation (and cached against); freezing makes accidental edits throw.
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
