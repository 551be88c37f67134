import { hasIamWildcard } from './policy-check';
import {
  conditionText,
  describeActions,
  describeResources,
  describeStatement,
  listShort,
  normalizePolicy,
  statementLabel,
  type ConditionEntry,
  type NormalizedStatement,
  type PatternSet,
  type PolicyInput,
} from './iam-policy-document';

/*
 * A pure comparison of two IAM identity-policy documents that says what a change adds, removes and
 * whether it widens access, and the flags and warnings reviewers get for what a policy grants. The
 * widening check is conservative: it may call a change widening when a precise evaluation would not
 * (e.g. a grant covered only by the union of several statements), never the other way round.
 * Shared by the iam.* operations and aws.call's IAM preview hook, so it sits at the root of operations/.
 */

// --- comparing statements ------------------------------------------------------------------

/** Condition keys are case-insensitive in IAM; operators and values are compared as written. */
function conditionKey(entry: ConditionEntry): string {
  return JSON.stringify([entry.operator, entry.key.toLowerCase(), entry.values]);
}

/** What a statement means, independent of its Sid and of spelling differences IAM ignores. */
function contentKey(statement: NormalizedStatement): string {
  return JSON.stringify([
    statement.effect,
    statement.actions.mode,
    statement.actions.patterns.map((p) => p.toLowerCase()),
    statement.resources.mode,
    statement.resources.patterns,
    statement.conditions.map(conditionKey),
  ]);
}

// --- pattern containment -------------------------------------------------------------------

function globRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^$()|[\]{}\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

/** Whether glob `pattern` matches the literal string `value`. */
function globMatches(pattern: string, value: string, caseInsensitive: boolean): boolean {
  return globRegExp(pattern, caseInsensitive).test(value);
}

/** The literal text every match of `pattern` starts with (up to its first wildcard or policy variable). */
function literalPrefix(pattern: string): string {
  const cut = pattern.search(/[*?]|\$\{/);
  return cut === -1 ? pattern : pattern.slice(0, cut);
}

/**
 * Whether every string `inner` matches is also matched by `outer` (sound, not complete): equal
 * patterns; a literal matched by the glob; or an outer `prefix*` whose prefix starts the inner's
 * literal prefix. A policy variable counts as a wildcard on the inner side and literally on the outer.
 */
function patternCovers(outer: string, inner: string, caseInsensitive: boolean): boolean {
  const norm = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  if (norm(outer) === norm(inner)) return true;
  if (!hasIamWildcard(inner)) return globMatches(outer, inner, caseInsensitive);
  const outerPrefix = outer.slice(0, -1);
  if (!outer.endsWith('*') || hasIamWildcard(outerPrefix)) return false;
  return norm(literalPrefix(inner)).startsWith(norm(outerPrefix));
}

/** Whether every value `inner` admits is also admitted by `outer`. */
function setCovers(outer: PatternSet, inner: PatternSet, caseInsensitive: boolean): boolean {
  if (outer.mode === 'only' && inner.mode === 'only') {
    return inner.patterns.every((p) => outer.patterns.some((o) => patternCovers(o, p, caseInsensitive)));
  }
  if (outer.mode === 'only') return outer.patterns.includes('*');
  if (inner.mode === 'only') {
    return inner.patterns.every((p) => !hasIamWildcard(p) && !outer.patterns.some((o) => globMatches(o, p, caseInsensitive)));
  }
  // Everything except I ⊆ everything except O exactly when O ⊆ I.
  return outer.patterns.every((o) => inner.patterns.some((i) => patternCovers(i, o, caseInsensitive)));
}

/** Whether `set` admits the literal `value` (e.g. whether a statement's actions include iam:PassRole). */
export function setIncludes(set: PatternSet, value: string, caseInsensitive = true): boolean {
  const matched = set.patterns.some((p) => globMatches(p, value, caseInsensitive));
  return set.mode === 'only' ? matched : !matched;
}

/** Whether `narrow`'s conditions include every one of `broad`'s (conditions AND together). */
function conditionsInclude(narrow: NormalizedStatement, broad: NormalizedStatement): boolean {
  const keys = new Set(narrow.conditions.map(conditionKey));
  return broad.conditions.every((entry) => keys.has(conditionKey(entry)));
}

/** Whether Allow statement `outer` grants everything Allow statement `inner` grants. */
function allowCovers(outer: NormalizedStatement, inner: NormalizedStatement): boolean {
  return setCovers(outer.actions, inner.actions, true) && setCovers(outer.resources, inner.resources, false) && conditionsInclude(inner, outer);
}

/** Whether Deny statement `outer` denies everything Deny statement `inner` denies. */
function denyCovers(outer: NormalizedStatement, inner: NormalizedStatement): boolean {
  return setCovers(outer.actions, inner.actions, true) && setCovers(outer.resources, inner.resources, false) && conditionsInclude(inner, outer);
}

// --- rendering the diff --------------------------------------------------------------------

/** The statement as lines, one per element value, grouped in a fixed order so two versions line up. */
function statementLines(statement: NormalizedStatement): { group: number; text: string }[] {
  const actionName = statement.actions.mode === 'only' ? 'Action' : 'NotAction';
  const resourceName = statement.resources.mode === 'only' ? 'Resource' : 'NotResource';
  return [
    { group: 0, text: `Effect ${statement.effect}` },
    ...statement.actions.patterns.map((p) => ({ group: 1, text: `${actionName} ${p}` })),
    ...statement.resources.patterns.map((p) => ({ group: 2, text: `${resourceName} ${p}` })),
    ...statement.conditions.map((c) => ({ group: 3, text: `Condition ${conditionText(c)}` })),
  ];
}

function renderWhole(statement: NormalizedStatement, sign: '+' | '-'): string[] {
  return [`${sign} ${statementLabel(statement)}:`, ...statementLines(statement).map((line) => `${sign}     ${line.text}`)];
}

function renderChange(before: NormalizedStatement, after: NormalizedStatement): string[] {
  const old = statementLines(before);
  const now = statementLines(after);
  const oldTexts = new Set(old.map((line) => line.text));
  const nowTexts = new Set(now.map((line) => line.text));
  const out = [`~ ${statementLabel(after)}:`];
  for (let group = 0; group <= 3; group += 1) {
    for (const line of old) if (line.group === group && !nowTexts.has(line.text)) out.push(`  -   ${line.text}`);
    for (const line of now) if (line.group === group) out.push(`  ${oldTexts.has(line.text) ? ' ' : '+'}   ${line.text}`);
  }
  return out;
}

// --- the diff ------------------------------------------------------------------------------

/** One statement present in both versions (same Sid) whose content differs. */
export interface StatementChange {
  before: NormalizedStatement;
  after: NormalizedStatement;
}

/** What replacing `current` by `proposed` does. */
export interface PolicyDiff {
  added: NormalizedStatement[];
  removed: NormalizedStatement[];
  changed: StatementChange[];
  /** Statements identical in meaning in both versions. */
  unchanged: number;
  /** True when the proposed policy may allow something the current one did not. */
  widens: boolean;
  /** Why it widens, one line each (empty when it does not). */
  reasons: string[];
  /** Proposed Allow statements not covered by any current Allow statement: where the new access is. */
  widening: NormalizedStatement[];
  /** Distinct `Action` entries of Allow statements (case-insensitive) new in, or gone from, the proposal. */
  addedActions: string[];
  removedActions: string[];
  /** A readable diff: `+` added, `-` removed, `~` changed statements, element by element. */
  text: string;
}

function allowActions(statements: NormalizedStatement[]): Map<string, string> {
  const actions = new Map<string, string>();
  for (const statement of statements) {
    if (statement.effect !== 'Allow' || statement.actions.mode !== 'only') continue;
    for (const pattern of statement.actions.patterns) if (!actions.has(pattern.toLowerCase())) actions.set(pattern.toLowerCase(), pattern);
  }
  return actions;
}

/** Values of `from` whose key `other` lacks, sorted by key. */
function missingFrom(from: Map<string, string>, other: Map<string, string>): string[] {
  return [...from.entries()]
    .filter(([key]) => !other.has(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, value]) => value);
}

/** What a changed Allow statement grants beyond its previous version, as short phrases. */
function extraGrants(before: NormalizedStatement, after: NormalizedStatement): string[] {
  const parts: string[] = [];
  if (before.actions.mode === 'only' && after.actions.mode === 'only') {
    const extra = after.actions.patterns.filter((p) => !before.actions.patterns.some((o) => patternCovers(o, p, true)));
    if (extra.length > 0) parts.push(`actions +${extra.join(', +')}`);
  } else if (!setCovers(before.actions, after.actions, true)) {
    parts.push(`actions now ${describeActions(after.actions)}`);
  }
  if (before.resources.mode === 'only' && after.resources.mode === 'only') {
    const extra = after.resources.patterns.filter((p) => !before.resources.patterns.some((o) => patternCovers(o, p, false)));
    if (extra.length > 0) parts.push(`resources +${extra.join(', +')}`);
  } else if (!setCovers(before.resources, after.resources, false)) {
    parts.push(`resources now ${describeResources(after.resources)}`);
  }
  const kept = new Set(after.conditions.map(conditionKey));
  const dropped = before.conditions.filter((entry) => !kept.has(conditionKey(entry)));
  if (dropped.length > 0) parts.push(`drops condition ${dropped.map(conditionText).join(', ')}`);
  return parts;
}

/**
 * Compares two policy documents statement by statement. Statements pair up by Sid, then by
 * content; what is left is added or removed. Widening: some proposed Allow statement is not
 * contained in any single current Allow statement, or some current Deny statement is not contained
 * in any proposed Deny statement. `current` undefined means no policy yet.
 */
export function diffPolicies(current: PolicyInput | undefined, proposed: PolicyInput): PolicyDiff {
  const before = current ? normalizePolicy(current) : [];
  const after = normalizePolicy(proposed);

  const leftBefore = new Set(before);
  const leftAfter = new Set(after);
  const changed: StatementChange[] = [];
  let unchanged = 0;
  const pair = (b: NormalizedStatement, a: NormalizedStatement) => {
    leftBefore.delete(b);
    leftAfter.delete(a);
    if (contentKey(b) === contentKey(a)) unchanged += 1;
    else changed.push({ before: b, after: a });
  };
  for (const a of after) {
    const b = a.sid === undefined ? undefined : [...leftBefore].find((s) => s.sid === a.sid);
    if (b) pair(b, a);
  }
  for (const a of [...leftAfter]) {
    const b = [...leftBefore].find((s) => contentKey(s) === contentKey(a));
    if (b) pair(b, a);
  }
  const added = [...leftAfter];
  const removed = [...leftBefore];

  const currentAllows = before.filter((s) => s.effect === 'Allow');
  const proposedDenies = after.filter((s) => s.effect === 'Deny');
  const widening = after.filter((s) => s.effect === 'Allow' && !currentAllows.some((c) => allowCovers(c, s)));
  const liftedDenies = before.filter((s) => s.effect === 'Deny' && !proposedDenies.some((d) => denyCovers(d, s)));

  const reasons: string[] = [];
  for (const statement of widening) {
    const change = changed.find((c) => c.after === statement);
    const extra = change && change.before.effect === 'Allow' ? extraGrants(change.before, statement) : [];
    reasons.push(
      change
        ? `${statementLabel(statement)} now allows more: ${extra.length > 0 ? extra.join('; ') : describeStatement(statement)}`
        : `adds ${describeStatement(statement)} (${statementLabel(statement)})`,
    );
  }
  for (const statement of liftedDenies) {
    const change = changed.find((c) => c.before === statement);
    reasons.push(
      change && change.after.effect === 'Deny'
        ? `${statementLabel(statement)} denies less: was ${describeStatement(statement)}, now ${describeStatement(change.after)}`
        : `no longer denies ${describeStatement(statement).replace(/^Deny /, '')} (${statementLabel(statement)})`,
    );
  }

  const beforeActions = allowActions(before);
  const afterActions = allowActions(after);

  const lines: string[] = [];
  if (added.length === 0 && removed.length === 0 && changed.length === 0) {
    lines.push(current ? `no change: the same ${unchanged} ${unchanged === 1 ? 'statement' : 'statements'} as now` : 'no statements');
  } else {
    for (const statement of removed) lines.push(...renderWhole(statement, '-'));
    for (const change of changed) lines.push(...renderChange(change.before, change.after));
    for (const statement of added) lines.push(...renderWhole(statement, '+'));
    if (unchanged > 0) lines.push(`  (${unchanged} unchanged ${unchanged === 1 ? 'statement' : 'statements'})`);
  }

  return {
    added,
    removed,
    changed,
    unchanged,
    widens: reasons.length > 0,
    reasons,
    widening,
    addedActions: missingFrom(afterActions, beforeActions),
    removedActions: missingFrom(beforeActions, afterActions),
    text: lines.join('\n'),
  };
}

// --- risk flags ----------------------------------------------------------------------------

/** Facts about what a set of statements allows: wildcards, and the inverted elements. */
export interface GrantFlags {
  /** An Allow statement has `*` or `?` in an Action, or uses NotAction. */
  wildcardAction: boolean;
  /** An Allow statement has `*` or `?` in a Resource, or uses NotResource. */
  wildcardResource: boolean;
}

/** Wildcard flags over the Allow statements (Deny statements only take access away). */
export function grantFlags(statements: NormalizedStatement[]): GrantFlags {
  const allows = statements.filter((s) => s.effect === 'Allow');
  return {
    wildcardAction: allows.some((s) => s.actions.mode === 'except' || s.actions.patterns.some((p) => /[*?]/.test(p))),
    wildcardResource: allows.some((s) => s.resources.mode === 'except' || s.resources.patterns.some((p) => /[*?]/.test(p))),
  };
}

/** Actions that let a principal act as another identity: worth a reviewer's eye whenever granted. */
const ESCALATION_ACTIONS: { action: string; why: string }[] = [
  { action: 'iam:PassRole', why: 'it can hand roles to AWS services, a privilege-escalation path' },
  { action: 'sts:AssumeRole', why: 'it can assume other roles' },
];

/**
 * Reviewer warnings for Allow statements that grant new access: wildcard actions or resources,
 * NotAction/NotResource, iam:PassRole, sts:AssumeRole. `subject` names who gets the access.
 */
export function grantWarnings(statements: NormalizedStatement[], subject: string): string[] {
  const warnings: string[] = [];
  for (const statement of statements) {
    if (statement.effect !== 'Allow') continue;
    const label = statementLabel(statement);
    const on = describeResources(statement.resources);
    if (statement.actions.mode === 'except') {
      warnings.push(`${label} uses NotAction: ${subject} would be allowed every action except ${listShort(statement.actions.patterns)} on ${on}`);
    } else {
      const wild = statement.actions.patterns.filter((p) => /[*?]/.test(p));
      if (wild.length > 0) warnings.push(`${label} grants wildcard actions ${listShort(wild)} on ${on}`);
    }
    if (statement.resources.mode === 'except') {
      warnings.push(`${label} uses NotResource: it applies to every resource except ${listShort(statement.resources.patterns)}`);
    } else if (statement.resources.patterns.includes('*')) {
      warnings.push(`${label} applies to every resource (*)`);
    } else {
      const wild = statement.resources.patterns.filter((p) => /[*?]/.test(p));
      if (wild.length > 0) warnings.push(`${label} applies to wildcard resources ${listShort(wild)}`);
    }
    for (const { action, why } of ESCALATION_ACTIONS) {
      if (setIncludes(statement.actions, action)) warnings.push(`${label} grants ${action} on ${on}: ${why}`);
    }
  }
  return warnings;
}
