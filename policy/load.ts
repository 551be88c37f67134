import { createHash } from 'node:crypto';
import { readFileOrFail, YamlFile, YamlFileError, type FileIssue, type IssuePath, type RawIssue } from '../config/yaml-file';
import { IDENTITY_CHANNELS, idpGroupsOfGroups, membersOfGroups } from './identities';
import { parseDuration } from './duration';
import { CONSOLE_ROLES, DEFAULT_REVIEW_TIMEOUT, policySchema, REQUESTER_GROUP_PREFIX, type LoadedPolicy, type PolicyDocument, type ReviewSpec } from './schema';

export { formatPath } from '../config/yaml-file';
export type { LoadedPolicy } from './schema';

/** One problem in a policy file: the field (`rules[1].review.quorum`), its line when known, and what is wrong. */
export type PolicyIssue = FileIssue;

/** A policy file that cannot be used. The message lists every issue as `file:line: field: problem`. */
export class PolicyFileError extends YamlFileError {
  override name = 'PolicyFileError';
  readonly code = 'invalid_policy';
}

const policyFileError = (source: string, issues: PolicyIssue[]): PolicyFileError => new PolicyFileError(source, issues);

/** Parses and checks policy text; `sourceName` names it in errors. The hash is of the UTF-8 bytes of `text`. */
export function parsePolicy(text: string, sourceName: string): LoadedPolicy {
  return parseBytes(Buffer.from(text, 'utf8'), text, sourceName);
}

/** Reads, parses and checks a policy file; throws PolicyFileError naming the line and field of each problem. */
export function loadPolicyFile(path: string): LoadedPolicy {
  const bytes = readFileOrFail(path, 'policy file', policyFileError);
  return parseBytes(bytes, bytes.toString('utf8'), path);
}

function parseBytes(bytes: Buffer, text: string, source: string): LoadedPolicy {
  const file = YamlFile.parse(text, source, policyFileError);
  const document = file.check(policySchema);
  file.reject(crossCheck(document));
  return {
    document: deepFreeze(document),
    hash: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    source,
  };
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
    // Members of IdP groups are known only when they sign in: a quorum beyond the listed members may be reachable.
    if (idpGroupsOfGroups(document, review.approvers).length > 0) return;
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
      const at = ['rules', i, 'match', 'requester', j];
      if (!hasGroup(group)) {
        issues.push({ path: at, message: `unknown group "${group}" (${knownGroups})` });
      } else if ((groups[group]?.idpGroups.length ?? 0) > 0) {
        // A request carries no IdP groups, so their members would never match: a deny rule would let them through.
        issues.push({ path: at, message: `group "${group}" has idpGroups, which a request does not carry: match on a group of members only` });
      }
    });

    if (rule.review) checkReview(rule.review, ['rules', i, 'review']);
  });
  if (document.default?.review) checkReview(document.default.review, ['default', 'review']);
  const roles = document.roles;
  if (roles) for (const role of CONSOLE_ROLES) checkGroups(roles[role] ?? [], ['roles', role]);
  return issues;
}

// The document is shared by every evaluation (and cached against); freezing makes accidental edits throw.
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
