import { qualifiesForPool } from '../domain/approver-pool';
import type { LoadedPolicy, PolicyDocument, PolicyGroup } from './schema';

/** The channels whose user ids the `identities` section maps to identity ids. */
export type IdentityChannel = 'slack' | 'teams' | 'email';
export const IDENTITY_CHANNELS: readonly IdentityChannel[] = ['slack', 'teams', 'email'];

// Emails and Teams object ids (GUIDs) are case-insensitive; Slack ids are upper case by definition.
function normalize(channel: IdentityChannel, externalId: string): string {
  return channel === 'slack' ? externalId : externalId.toLowerCase();
}

type ChannelIndex = Map<IdentityChannel, Map<string, string>>;

// Built once per document on first use; documents are frozen at load, so the index cannot go stale.
const indexes = new WeakMap<PolicyDocument, ChannelIndex>();

function channelIndex(document: PolicyDocument): ChannelIndex {
  let index = indexes.get(document);
  if (index) return index;
  index = new Map(IDENTITY_CHANNELS.map((channel) => [channel, new Map<string, string>()]));
  for (const [id, channels] of Object.entries(document.identities ?? {})) {
    for (const channel of IDENTITY_CHANNELS) {
      const externalId = channels[channel];
      // The loader refuses an external id claimed by two identities, so first-wins never decides.
      if (externalId !== undefined) index.get(channel)?.set(normalize(channel, externalId), id);
    }
  }
  indexes.set(document, index);
  return index;
}

/** The identity id behind a channel user id (Slack user id, Teams AAD object id, email), if the policy knows it. */
export function resolveChannelIdentity(policy: LoadedPolicy, channel: IdentityChannel, externalId: string): string | undefined {
  return channelIndex(policy.document).get(channel)?.get(normalize(channel, externalId));
}

/** The channel user id (e.g. Slack user id) the policy gives an identity, if any. */
export function channelIdOf(policy: LoadedPolicy, channel: IdentityChannel, identityId: string): string | undefined {
  const identities = policy.document.identities ?? {};
  return Object.hasOwn(identities, identityId) ? identities[identityId]?.[channel] : undefined;
}

/** Distinct members of one group, sorted; empty for a group the policy does not define. */
export function groupMembers(policy: LoadedPolicy, group: string): string[] {
  return membersOfGroups(policy.document, [group]);
}

/** Distinct members across several groups, sorted. Unknown groups contribute nobody. IdP groups are not expanded (see idpGroupsOfGroups). */
export function membersOfGroups(document: PolicyDocument, groups: readonly string[]): string[] {
  return distinctSorted(document, groups, (group) => group.members);
}

/** Distinct IdP groups named by several policy groups, sorted: whose members belong too, known only at sign-in. */
export function idpGroupsOfGroups(document: PolicyDocument, groups: readonly string[]): string[] {
  return distinctSorted(document, groups, (group) => group.idpGroups);
}

/**
 * Whether someone is in a policy group: listed among its members, or signed in with one of its IdP
 * groups (`idpGroups`: the groups claim of their sign-in; empty when there is none). False for a
 * group the policy does not define.
 */
export function isGroupMember(policy: LoadedPolicy, group: string, identity: string, idpGroups: readonly string[]): boolean {
  const defined = policy.document.groups ?? {};
  const found = Object.hasOwn(defined, group) ? defined[group] : undefined;
  return found !== undefined && qualifiesForPool(identity, idpGroups, found.members, found.idpGroups);
}

function distinctSorted(document: PolicyDocument, groups: readonly string[], pick: (group: PolicyGroup) => readonly string[]): string[] {
  const values = new Set<string>();
  const defined = document.groups ?? {};
  for (const name of groups) {
    const group = Object.hasOwn(defined, name) ? defined[name] : undefined;
    for (const value of group ? pick(group) : []) values.add(value);
  }
  return [...values].sort();
}
