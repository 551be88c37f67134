import { isGroupMember } from './identities';
import { CONSOLE_ROLES, type ConsoleRole, type LoadedPolicy } from './schema';

/**
 * The console roles of someone who signed in: each role whose groups (the policy's `roles:`) include
 * them, directly or through one of the groups' IdP groups, in the order reviewer, auditor, admin.
 * Roles do not imply one another. A policy without a `roles:` section makes everyone who signs in a
 * reviewer and nobody an auditor or admin: the easy start, since a vote still counts only from the
 * review's approvers. Pure.
 */
export function consoleRolesOf(policy: LoadedPolicy, identity: string, idpGroups: readonly string[]): ConsoleRole[] {
  const roles = policy.document.roles;
  if (roles === undefined) return ['reviewer'];
  return CONSOLE_ROLES.filter((role) => (roles[role] ?? []).some((group) => isGroupMember(policy, group, identity, idpGroups)));
}
