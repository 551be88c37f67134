import type { PolicyDocument } from '../../policy/schema';

/** Someone who may sign in at the dev identity provider: an identity id, and the claims its id token carries. */
export interface DevPerson {
  id: string;
  email?: string;
  /** The policy groups that list the identity among their members (the dev IdP's groups claim; it knows no other IdP groups). */
  groups: string[];
}

/** What oidc-provider's `findAccount` returns: the account, and its claims for an id token or userinfo. */
export interface DevAccount {
  accountId: string;
  claims(): Promise<{ sub: string; email?: string; groups: string[] }>;
}

/**
 * The people of a policy: its identities that have a channel id (email, Slack, Teams), as the
 * example policy says agents have none, each with the groups it belongs to.
 */
export function devPeopleFromPolicy(document: PolicyDocument): DevPerson[] {
  const groups = Object.entries(document.groups ?? {});
  return Object.entries(document.identities ?? {})
    .filter(([, channels]) => Object.values(channels).some((value) => value !== undefined))
    .map(([id, channels]) => ({
      id,
      ...(channels.email ? { email: channels.email } : {}),
      groups: groups.filter(([, group]) => group.members.includes(id)).map(([name]) => name),
    }));
}

/** The policy's identities with no channel id: agents, who get a client credentials client each. */
export function devAgentsFromPolicy(document: PolicyDocument): string[] {
  return Object.entries(document.identities ?? {})
    .filter(([, channels]) => Object.values(channels).every((value) => value === undefined))
    .map(([id]) => id);
}

/**
 * oidc-provider's `findAccount` over `people` only: the dev sign-in page takes any login name, so
 * a name that is not one of them must find no account (the provider then asks to sign in again).
 */
export function devAccountFinder(people: readonly DevPerson[]): (ctx: unknown, id: string) => Promise<DevAccount | undefined> {
  // A Map, not an object: a login name such as `constructor` must not find a prototype's property.
  const byId = new Map(people.map((person) => [person.id, person]));
  return async (_ctx, id) => {
    const person = byId.get(id);
    if (!person) return undefined;
    return {
      accountId: person.id,
      claims: async () => ({ sub: person.id, ...(person.email ? { email: person.email } : {}), groups: [...person.groups] }),
    };
  };
}
