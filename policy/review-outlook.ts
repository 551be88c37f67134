import type { PolicyEffect, ToolAnnotations } from '../domain/types';
import { compileAnnotationsMatcher, compileGlob } from './evaluate';
import { idpGroupsOfGroups, membersOfGroups } from './identities';
import { REQUESTER_GROUP_PREFIX, type DefaultOutcome, type LoadedPolicy, type PolicyDocument, type PolicyMatch } from './schema';

/** What a requester can expect of policy for one action, before it has chosen any params. */
export const REVIEW_OUTLOOKS = ['required', 'not_required', 'denied', 'depends_on_params'] as const;
export type ReviewOutlook = (typeof REVIEW_OUTLOOKS)[number];

/**
 * What policy decides for `requesterId`'s requests of `action`, whatever the params: `required`
 * when every rule that can match (or the default) sends them to review, `not_required` when every
 * one allows them, `denied` when every one denies them, else `depends_on_params` (params or preview
 * facts decide). Pure. It follows `evaluatePolicy`: rules in order, the first one that matches on
 * action and requester alone ends the walk, and a review whose quorum the requester's own
 * exclusion makes unattainable counts as a deny. A matcher on params, preview facts or grants is taken to
 * hold for some requests and not for others.
 *
 * `annotations` are the action's MCP tool annotations when it is an MCP gateway tool. They are fixed
 * for the action, so a matcher on them is decided here exactly, as the evaluator decides it: a rule
 * whose annotations do not match is skipped, and one that matches is conditional only on its other
 * matchers. Without annotations (any other operation) a rule on annotations never matches.
 * `known.grantsNothing` likewise skips rules on grants for an action that never has any.
 */
/** What is known of the action whatever its params. */
export interface OutlookFacts {
  /** Its session policy never grants anything (it runs without AWS credentials), so no rule on grants can match it. */
  grantsNothing?: boolean;
}

export function reviewOutlook(
  policy: LoadedPolicy,
  action: string,
  requesterId: string,
  annotations?: ToolAnnotations,
  known: OutlookFacts = {},
): ReviewOutlook {
  const { document } = policy;
  const effects = new Set<PolicyEffect>();
  let reachesDefault = true;
  for (const rule of document.rules) {
    if (!rule.match.action.some((pattern) => compileGlob(pattern)(action))) continue;
    if (rule.match.requester && !requesterMatches(document, rule.match.requester, requesterId)) continue;
    if (rule.match.annotations && !compileAnnotationsMatcher(rule.match.annotations)(annotations)) continue;
    // No grant at all: a rule on grants matches nothing (evaluate.ts), whatever the params.
    if (rule.match.grants && known.grantsNothing) continue;
    effects.add(effectFor(document, rule, requesterId));
    if (!conditional(rule.match)) {
      reachesDefault = false;
      break;
    }
  }
  if (reachesDefault) effects.add(effectFor(document, document.default ?? { effect: 'deny' }, requesterId));
  if (effects.size > 1) return 'depends_on_params';
  const [effect] = effects;
  return effect === 'review' ? 'required' : effect === 'allow' ? 'not_required' : 'denied';
}

/** Whether the rule also tests params, preview facts or grants (an empty mapping tests nothing). Annotations are decided by the caller. */
function conditional(match: PolicyMatch): boolean {
  return Object.keys(match.params ?? {}).length > 0 || Object.keys(match.preview ?? {}).length > 0 || match.grants !== undefined;
}

/**
 * The effect as `evaluatePolicy` reports it to this requester: a review it leaves without a quorum is
 * a deny. A review whose approver groups name IdP groups stays a review, as the evaluator leaves it:
 * their members are known only as they sign in.
 */
function effectFor(document: PolicyDocument, outcome: Pick<DefaultOutcome, 'effect' | 'review'>, requesterId: string): PolicyEffect {
  if (outcome.effect !== 'review' || !outcome.review) return outcome.effect;
  if (idpGroupsOfGroups(document, outcome.review.approvers).length > 0) return 'review';
  const eligible = membersOfGroups(document, outcome.review.approvers).filter((id) => id !== requesterId);
  return eligible.length < (outcome.review.quorum ?? 1) ? 'deny' : 'review';
}

/** As the evaluator reads `match.requester`: identity ids, or `group:NAME` for the group's members (the loader refuses groups with IdP groups there). */
function requesterMatches(document: PolicyDocument, entries: readonly string[], requesterId: string): boolean {
  return entries.some((entry) =>
    entry.startsWith(REQUESTER_GROUP_PREFIX)
      ? membersOfGroups(document, [entry.slice(REQUESTER_GROUP_PREFIX.length)]).includes(requesterId)
      : entry === requesterId,
  );
}
