/**
 * Who counts as one of a review's approvers. Pure and import-free: bundled into the workflow
 * sandbox for the vote checks, and used by policy/ for console roles, so both read a person's
 * IdP groups the same way.
 */

/**
 * Whether `voter` belongs to an approver pool: it is one of the pool's identity ids, or its sign-in
 * carried one of the pool's IdP groups. IdP group names compare exactly, case included.
 *
 * `voterIdpGroups` is the groups claim of the voter's sign-in as the authenticating edge signed it;
 * absent when the channel has none (Slack, Teams, API keys). `poolIdpGroups` is absent in decisions
 * whose policy named no IdP groups, and in histories recorded before there were any: then only
 * `pool` counts. The requester is not excluded here: `pool` never holds it, but an IdP group may, so
 * the self-approval refusal must come before this check.
 */
export function qualifiesForPool(
  voter: string,
  voterIdpGroups: readonly string[] | undefined,
  pool: readonly string[],
  poolIdpGroups: readonly string[] | undefined,
): boolean {
  if (pool.includes(voter)) return true;
  if (voterIdpGroups === undefined || poolIdpGroups === undefined || poolIdpGroups.length === 0) return false;
  return voterIdpGroups.some((group) => poolIdpGroups.includes(group));
}
