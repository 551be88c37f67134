import type { Grant } from '../domain/grants';
import type { JsonObject, JsonValue, PolicyDecision, PolicyEffect, Requester, Risk, ToolAnnotations } from '../domain/types';
import { effectiveHints } from '../domain/tool-annotations';
import { parseDuration } from './duration';
import { idpGroupsOfGroups, membersOfGroups } from './identities';
import {
  ANNOTATION_HINTS,
  DEFAULT_REVIEW_TIMEOUT,
  DEFAULT_RULE_ID,
  REQUESTER_GROUP_PREFIX,
  type AnnotationsMatcher,
  type GrantsMatcher,
  type LoadedPolicy,
  type ParamMatcher,
  type PolicyDocument,
  type ReviewSpec,
} from './schema';

/** One request as policy sees it. `context` is carried for callers; rules do not match on it (yet). */
export interface EvaluationRequest {
  action: string;
  params: JsonObject;
  requester: Requester;
  context?: JsonObject | undefined;
  /** The operation's preview facts; `{}` when the preview failed. Absent: not previewed yet. */
  preview?: JsonObject | undefined;
  /** What the operation's session policy grants for these params; absent, a rule on grants never matches. */
  grants?: readonly Grant[] | undefined;
  /**
   * The MCP tool's annotations when the operation is an MCP gateway tool (`mcp.<server>.<tool>`),
   * as the gateway config leaves them; absent for any other operation, and then a rule on
   * annotations never matches.
   */
  annotations?: ToolAnnotations | undefined;
}

const DEFAULT_RISK: Record<PolicyEffect, Risk> = { allow: 'low', review: 'medium', deny: 'high' };
const DEFAULT_CHANNELS: readonly string[] = ['api'];
const NO_MATCH_REASON = 'No rule matched';

interface CompiledReview {
  approverGroups: readonly string[];
  /** Distinct members of the approver groups, sorted; the requester is removed per request. */
  pool: readonly string[];
  /** Distinct IdP groups of the approver groups, sorted; empty when they name none. */
  poolIdpGroups: readonly string[];
  quorum: number;
  timeoutMs: number;
  channels: readonly string[];
  /** Sorted longest first, so reminders come in time order. */
  remindBeforeMs: readonly number[];
  escalation?: CompiledEscalation | undefined;
  stepUpMaxAgeMs?: number | undefined;
}

interface CompiledEscalation {
  afterMs: number;
  approverGroups: readonly string[];
  pool: readonly string[];
  poolIdpGroups: readonly string[];
  channels: readonly string[];
}

interface CompiledOutcome {
  ruleId: string;
  effect: PolicyEffect;
  risk: Risk;
  reason: string;
  review?: CompiledReview | undefined;
}

interface CompiledRule {
  actions: readonly Glob[];
  /** Undefined when the rule matches any requester. */
  requester?: ((id: string) => boolean) | undefined;
  params: readonly ((params: JsonObject) => boolean)[];
  /** Undefined when the rule does not look at grants. */
  grants?: ((grants: readonly Grant[] | undefined) => boolean) | undefined;
  /** Undefined when the rule does not look at annotations. Known before the preview, like params and grants. */
  annotations?: ((annotations: ToolAnnotations | undefined) => boolean) | undefined;
  /** Tests on preview facts; a rule with any needs the preview before it can match. */
  preview: readonly ((facts: JsonObject) => boolean)[];
  outcome: CompiledOutcome;
}

interface CompiledPolicy {
  rules: readonly CompiledRule[];
  fallback: CompiledOutcome;
}

// Compiled once per document on first evaluation. Documents are frozen at load, so this cache
// is invisible to callers: evaluation stays a pure function of (policy, request).
const compiledPolicies = new WeakMap<PolicyDocument, CompiledPolicy>();

/**
 * The decision for one request: the first rule whose match holds, else the policy's default.
 * Pure; no I/O. Preview matchers test `request.preview` (a missing preview matches nothing but
 * `exists: false`, `notEquals` and `notIn`, as missing params do).
 */
export function evaluatePolicy(policy: LoadedPolicy, request: EvaluationRequest): PolicyDecision {
  const compiled = compile(policy.document);
  // With facts given, the walk always ends at a rule or the default; `??` only satisfies the type.
  return decide(firstMatch(compiled, request, request.preview ?? {}) ?? compiled.fallback, request.requester.id, policy.hash);
}

/**
 * The same decision without preview facts, when it can be made: `undefined` when a rule that
 * matches on preview facts is reached before any rule decides. Then the caller previews and
 * calls `evaluatePolicy`, which gives exactly the answer a one-pass evaluation would.
 */
export function evaluatePolicyBeforePreview(policy: LoadedPolicy, request: EvaluationRequest): PolicyDecision | undefined {
  const outcome = firstMatch(compile(policy.document), request, undefined);
  return outcome && decide(outcome, request.requester.id, policy.hash);
}

/** Rules in order; without `facts`, stops (undefined) at the first applicable rule that needs them. */
function firstMatch(compiled: CompiledPolicy, request: EvaluationRequest, facts: JsonObject | undefined): CompiledOutcome | undefined {
  for (const rule of compiled.rules) {
    const holds =
      rule.actions.some((glob) => glob(request.action)) &&
      (rule.requester === undefined || rule.requester(request.requester.id)) &&
      rule.params.every((test) => test(request.params)) &&
      (rule.grants === undefined || rule.grants(request.grants)) &&
      (rule.annotations === undefined || rule.annotations(request.annotations));
    if (!holds) continue;
    if (rule.preview.length === 0) return rule.outcome;
    if (facts === undefined) return undefined;
    if (rule.preview.every((test) => test(facts))) return rule.outcome;
  }
  return compiled.fallback;
}

function decide(outcome: CompiledOutcome, requesterId: string, policyHash: string): PolicyDecision {
  const { ruleId, effect, risk, reason, review } = outcome;
  if (!review) return { effect, ruleId, reason, risk, policyHash };

  // Self-approval is impossible by construction: the requester is never an eligible approver.
  // (An IdP group may still hold it; the workflow refuses a requester's vote before it asks about groups.)
  const eligibleApprovers = review.pool.filter((id) => id !== requesterId);
  // With IdP groups, how many may vote is known only as they sign in: the quorum is not judged here.
  if (review.poolIdpGroups.length === 0 && eligibleApprovers.length < review.quorum) {
    const excluded = review.pool.length > eligibleApprovers.length ? ` once the requester (${requesterId}) is excluded` : '';
    return {
      effect: 'deny',
      ruleId,
      reason:
        `Quorum unattainable: rule ${ruleId} needs ${review.quorum} distinct approver${review.quorum === 1 ? '' : 's'} ` +
        `from ${review.approverGroups.join(', ')}, but only ${eligibleApprovers.length} ${eligibleApprovers.length === 1 ? 'is' : 'are'} eligible${excluded}`,
      risk,
      policyHash,
    };
  }
  return {
    effect,
    ruleId,
    reason,
    risk,
    policyHash,
    review: {
      approverGroups: [...review.approverGroups],
      eligibleApprovers,
      // New fields only when used: a decision that needs neither is byte for byte what it was before them.
      ...(review.poolIdpGroups.length > 0 ? { poolIdpGroups: [...review.poolIdpGroups] } : {}),
      quorum: review.quorum,
      timeoutMs: review.timeoutMs,
      channels: [...review.channels],
      ...(review.remindBeforeMs.length > 0 ? { remindBeforeMs: [...review.remindBeforeMs] } : {}),
      ...(review.escalation
        ? {
            escalation: {
              afterMs: review.escalation.afterMs,
              approverGroups: [...review.escalation.approverGroups],
              eligibleApprovers: review.escalation.pool.filter((id) => id !== requesterId),
              ...(review.escalation.poolIdpGroups.length > 0 ? { poolIdpGroups: [...review.escalation.poolIdpGroups] } : {}),
              channels: [...review.escalation.channels],
            },
          }
        : {}),
      ...(review.stepUpMaxAgeMs !== undefined ? { stepUpMaxAgeMs: review.stepUpMaxAgeMs } : {}),
    },
  };
}

function compile(document: PolicyDocument): CompiledPolicy {
  const cached = compiledPolicies.get(document);
  if (cached) return cached;

  const compileReview = (review: ReviewSpec): CompiledReview => {
    const timeoutMs = parseDuration(review.timeout ?? document.defaults?.review?.timeout ?? DEFAULT_REVIEW_TIMEOUT);
    const channels = review.channels ?? document.defaults?.review?.channels ?? DEFAULT_CHANNELS;
    const escalation = review.escalation;
    return {
      approverGroups: review.approvers,
      pool: membersOfGroups(document, review.approvers),
      poolIdpGroups: idpGroupsOfGroups(document, review.approvers),
      quorum: review.quorum ?? 1,
      timeoutMs,
      channels,
      // Loading refuses a review's own reminders outside its window; a default one that does not fit is skipped.
      remindBeforeMs: [...new Set((review.remindBefore ?? document.defaults?.review?.remindBefore ?? []).map(parseDuration))]
        .filter((ms) => ms < timeoutMs)
        .sort((a, b) => b - a),
      ...(escalation
        ? {
            escalation: {
              afterMs: parseDuration(escalation.after),
              approverGroups: escalation.approvers,
              pool: membersOfGroups(document, escalation.approvers),
              poolIdpGroups: idpGroupsOfGroups(document, escalation.approvers),
              channels: escalation.channels ?? channels,
            },
          }
        : {}),
      ...(review.stepUp ? { stepUpMaxAgeMs: parseDuration(review.stepUp.maxAge) } : {}),
    };
  };

  const compiled: CompiledPolicy = {
    rules: document.rules.map((rule) => ({
      actions: rule.match.action.map(compileGlob),
      ...(rule.match.requester ? { requester: compileRequester(document, rule.match.requester) } : {}),
      params: Object.entries(rule.match.params ?? {}).map(([path, matcher]) => compileParamMatcher(path, matcher)),
      ...(rule.match.grants ? { grants: compileGrantsMatcher(rule.match.grants, rule.effect) } : {}),
      ...(rule.match.annotations ? { annotations: compileAnnotationsMatcher(rule.match.annotations) } : {}),
      preview: Object.entries(rule.match.preview ?? {}).map(([path, matcher]) => compileParamMatcher(path, matcher)),
      outcome: {
        ruleId: rule.id,
        effect: rule.effect,
        risk: rule.risk ?? DEFAULT_RISK[rule.effect],
        reason: rule.reason ?? generatedReason(rule.effect, rule.id),
        ...(rule.review ? { review: compileReview(rule.review) } : {}),
      },
    })),
    fallback: {
      ruleId: DEFAULT_RULE_ID,
      effect: document.default?.effect ?? 'deny',
      risk: document.default?.risk ?? DEFAULT_RISK[document.default?.effect ?? 'deny'],
      reason: document.default?.reason ?? NO_MATCH_REASON,
      ...(document.default?.review ? { review: compileReview(document.default.review) } : {}),
    },
  };
  compiledPolicies.set(document, compiled);
  return compiled;
}

function generatedReason(effect: PolicyEffect, ruleId: string): string {
  switch (effect) {
    case 'deny':
      return `Denied by policy rule ${ruleId}`;
    case 'allow':
      return `Allowed by policy rule ${ruleId}`;
    case 'review':
      return `Review required by policy rule ${ruleId}`;
  }
}

function compileRequester(document: PolicyDocument, entries: readonly string[]): (id: string) => boolean {
  const ids = new Set<string>();
  for (const entry of entries) {
    if (entry.startsWith(REQUESTER_GROUP_PREFIX)) {
      for (const member of membersOfGroups(document, [entry.slice(REQUESTER_GROUP_PREFIX.length)])) ids.add(member);
    } else {
      ids.add(entry);
    }
  }
  return (id) => ids.has(id);
}

/** Matches a whole string against a pattern. */
export type Glob = (text: string) => boolean;

/**
 * Compiles a glob: `*` matches any run of characters (including none), `?` exactly one, anything
 * else itself; anchored at both ends. No regular expressions, so a hostile value cannot trigger
 * catastrophic backtracking: matching is at worst O(pattern × text).
 */
export function compileGlob(pattern: string): Glob {
  if (!/[*?]/.test(pattern)) return (text) => text === pattern;
  if (/^\*+$/.test(pattern)) return () => true;
  const chars = Array.from(pattern); // code points, so `?` is one character even outside the BMP
  return (text) => wildcardMatch(chars, Array.from(text));
}

function wildcardMatch(pattern: readonly string[], text: readonly string[]): boolean {
  let p = 0;
  let t = 0;
  let star = -1; // position of the last `*` seen in the pattern
  let resume = 0; // where in the text that `*` will next try to end
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      resume = t;
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * A rule on grants. Deny and review rules catch an action when any one grant meets the conditions;
 * an allow rule lets it through only when every grant does (and there is one), so a rule written
 * for reads cannot let a call that also writes through. No grants known: no match.
 */
function compileGrantsMatcher(matcher: GrantsMatcher, effect: PolicyEffect): (grants: readonly Grant[] | undefined) => boolean {
  const levels = matcher.accessLevel;
  const actions = matcher.iamAction?.map((pattern) => compileGlob(pattern.toLowerCase()));
  const resources = matcher.resource?.map(compileGlob);
  const meets = (grant: Grant): boolean =>
    (levels === undefined || (grant.accessLevel !== undefined && levels.includes(grant.accessLevel))) &&
    // IAM action names are case-insensitive.
    (actions === undefined || actions.some((glob) => glob(grant.iamAction.toLowerCase()))) &&
    (resources === undefined || resources.some((glob) => glob(grant.resource)));
  return (grants) => {
    if (grants === undefined || grants.length === 0) return false;
    return effect === 'allow' ? grants.every(meets) : grants.some(meets);
  };
}

/**
 * A rule on an MCP tool's annotations: every hint the rule gives must equal the tool's effective
 * value (domain/tool-annotations.ts: the declared hint, else MCP's default; a read-only tool is
 * neither destructive nor unsafe to repeat). No annotations (not an MCP tool): no match.
 */
export function compileAnnotationsMatcher(matcher: AnnotationsMatcher): (annotations: ToolAnnotations | undefined) => boolean {
  const wanted = ANNOTATION_HINTS.flatMap((hint) => (matcher[hint] === undefined ? [] : [[hint, matcher[hint]] as const]));
  return (annotations) => {
    if (annotations === undefined) return false;
    const hints = effectiveHints(annotations);
    return wanted.every(([hint, value]) => hints[hint] === value);
  };
}

/** Value at a dotted path; undefined when any step is missing. Own properties only (no `constructor`). */
function lookup(params: JsonObject, segments: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = params;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      current = /^(0|[1-9][0-9]*)$/.test(segment) ? current[Number(segment)] : undefined;
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

type ValueTest = (value: JsonValue | undefined) => boolean;

/** Every operator in the matcher must hold. On a missing value only `exists: false`, `notEquals` and `notIn` hold. */
function compileParamMatcher(path: string, matcher: ParamMatcher): (params: JsonObject) => boolean {
  const segments = path.split('.');
  const tests: ValueTest[] = [];
  const { equals, notEquals, in: oneOf, notIn, matches, gt, gte, lt, lte, exists } = matcher;
  if (equals !== undefined) tests.push((value) => value === equals);
  if (notEquals !== undefined) tests.push((value) => value !== notEquals);
  if (oneOf !== undefined) tests.push((value) => isScalar(value) && oneOf.includes(value));
  if (notIn !== undefined) tests.push((value) => !(isScalar(value) && notIn.includes(value)));
  if (matches !== undefined) {
    const glob = compileGlob(matches);
    tests.push((value) => typeof value === 'string' && glob(value));
  }
  if (gt !== undefined) tests.push((value) => typeof value === 'number' && value > gt);
  if (gte !== undefined) tests.push((value) => typeof value === 'number' && value >= gte);
  if (lt !== undefined) tests.push((value) => typeof value === 'number' && value < lt);
  if (lte !== undefined) tests.push((value) => typeof value === 'number' && value <= lte);
  if (exists !== undefined) tests.push((value) => (value !== undefined) === exists);
  return (params) => {
    const value = lookup(params, segments);
    return tests.every((test) => test(value));
  };
}

function isScalar(value: JsonValue | undefined): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
