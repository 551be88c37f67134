import type { ActionView, CatalogueEntry } from '../client';

/** How to wait, said in every non-final answer: models otherwise tend to re-request or give up. */
const HOW_TO_WAIT = 'Call get_action with this id and wait_seconds (up to 300) to wait for the outcome; do not request the action again.';

/** "alice", "alice or bob", "alice, bob or carol". */
function either(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? 'nobody';
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function pendingReview(view: ActionView, then: string): string {
  const review = view.review;
  if (!review) return `${view.id} is pending_review. This is normal: humans decide.${then}`;
  const missing = Math.max(review.quorum - review.approvals.length, 1);
  const approvers = review.eligibleApprovers.filter((name) => !review.approvals.includes(name));
  const sofar = review.approvals.length > 0 ? ` (approved so far by ${review.approvals.join(', ')})` : '';
  const until = review.deadline ? `, until ${review.deadline}` : '';
  return (
    `${view.id} is pending_review: waiting for ${plural(missing, 'approval')} from ${either(approvers)}${sofar}${until}. ` +
    `This is normal: humans decide, and it can take minutes or hours.${then}`
  );
}

/**
 * One or two sentences a model can act on: where the action stands and what to do next. `howToWait`
 * ends a non-final answer; an MCP task's status leaves it out (`''`), as its requestor polls anyway.
 */
export function describeAction(view: ActionView, howToWait: string = HOW_TO_WAIT): string {
  const then = howToWait ? ` ${howToWait}` : '';
  const rule = view.policy?.ruleId ? ` (policy rule ${view.policy.ruleId})` : '';
  switch (view.status) {
    case 'evaluating':
      return `${view.id} is evaluating: the request is recorded and policy has not decided yet. This is normal.${then}`;
    case 'pending_review':
      return pendingReview(view, then);
    case 'approved':
      return `${view.id} is approved${view.review ? ` by ${view.review.approvals.join(', ')}` : rule} and about to run.${then}`;
    case 'executing':
      return `${view.id} is executing: ${view.summary ?? view.action}.${then}`;
    case 'succeeded': {
      const outputs = Object.entries(view.result?.outputs ?? {}).map(([key, value]) => `${key}=${String(value)}`);
      return `${view.id} succeeded: ${view.result?.summary ?? view.summary ?? view.action}.${outputs.length > 0 ? ` Outputs: ${outputs.join(', ')}.` : ''}`;
    }
    case 'failed':
      return `${view.id} failed: ${view.error?.message ?? 'the operation failed'}. Nothing more will happen; a new request is needed to try again.`;
    case 'denied':
      return `${view.id} was denied by policy${rule}: ${view.policy?.reason ?? 'no reason given'}. Retrying the same request will be denied again.`;
    case 'rejected': {
      const rejection = view.votes.find((vote) => vote.verdict === 'reject');
      return `${view.id} was rejected${rejection ? ` by ${rejection.reviewer}: ${rejection.comment ?? 'no comment'}` : ''}. Do not retry it unchanged.`;
    }
    case 'expired':
      return `${view.id} expired: no decision before the review deadline. Request it again if it is still needed.`;
    case 'cancelled':
      return `${view.id} was cancelled${view.cancellation ? ` by ${view.cancellation.by}${view.cancellation.reason ? `: ${view.cancellation.reason}` : ''}` : ''}.`;
    default:
      return `${view.id} is ${String(view.status)}.${then}`;
  }
}

const REVIEW_TEXT: Record<CatalogueEntry['review'], string> = {
  required: 'always reviewed by humans',
  not_required: 'runs without review',
  denied: 'denied by policy',
  depends_on_params: 'depends on the params (request_action answers whether it waits for review)',
};

/** The catalogue as lines a model reads before choosing an action. */
export function describeCatalogue(entries: readonly CatalogueEntry[]): string {
  const lines = entries.map((entry) => `- ${entry.name}: ${entry.title}. ${entry.description} Review: ${REVIEW_TEXT[entry.review] ?? entry.review}.`);
  return `${plural(entries.length, 'action')} available (the JSON after this lists each one's paramsSchema, a JSON Schema).\n${lines.join('\n')}`;
}
