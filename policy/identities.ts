import type { LoadedPolicy, PolicyDocument } from './schema';

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

/** Distinct members across several groups, sorted. Unknown groups contribute nobody. */
export function membersOfGroups(document: PolicyDocument, groups: readonly string[]): string[] {
  const members = new Set<string>();
  const defined = document.groups ?? {};
  for (const group of groups) {
    if (!Object.hasOwn(defined, group)) continue;
    for (const member of defined[group] ?? []) members.add(member);
  }
  return [...members].sort();
}
