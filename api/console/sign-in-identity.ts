import { IDENTITY_ID_PATTERN, type PrincipalRole } from '../../config/principals';
import { resolveChannelIdentity, type LoadedPolicy } from '../../policy';
import type { IdTokenClaims } from './oidc';

/** Which claims say who signed in. */
export interface ClaimSettings {
  /** `email`: mapped through the policy's identities (else the address is the id); any other claim's value is the id. */
  identityClaim: string;
  groupsClaim: string;
}

export interface SignedInPerson {
  identity: string;
  email?: string;
  idpGroups: string[];
  roles: PrincipalRole[];
  /** When the IdP last authenticated the person (`auth_time`, seconds); absent when it did not say: no step-up counts then. */
  authTime?: number;
  acr?: string;
  amr?: string[];
}

export type RolesOf = (policy: LoadedPolicy, identity: string, idpGroups: readonly string[]) => PrincipalRole[];

/** At most this many groups are kept from a token (a session cookie must stay small). */
const MAX_GROUPS = 100;

/** One address: something@domain.tld, nothing else. */
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The identity an email claim names: the policy identity with that `email`, else the address itself,
 * lower-cased. Refused: an unverified or malformed address, and an unlisted address that is the id of a
 * policy identity with another email (or none): a provider must not make anyone `alice` by a claim of
 * "alice" or of an address alice does not have.
 */
function identityOfEmail(raw: string, verified: unknown, policy: LoadedPolicy): { ok: true; identity: string } | { ok: false; reason: string } {
  if (verified === false) return { ok: false, reason: 'the email address is not verified by the provider' };
  if (!EMAIL_ADDRESS.test(raw)) return { ok: false, reason: `the email claim "${raw}" is not an email address` };
  const listed = resolveChannelIdentity(policy, 'email', raw);
  if (listed) return { ok: true, identity: listed };
  const identity = raw.toLowerCase();
  if (Object.hasOwn(policy.document.identities ?? {}, identity)) {
    return { ok: false, reason: `${identity} is a policy identity with another email address: the policy must list this one` };
  }
  return { ok: true, identity };
}

/**
 * The Airlock identity, groups and roles an id token's claims give a person, or why they give none.
 * An identity the policy does not list is still an identity (onboarding is an IdP change): what it may
 * do comes from its IdP groups through the policy's `roles:` and approver groups.
 */
export function personFromClaims(
  claims: IdTokenClaims,
  settings: ClaimSettings,
  policy: LoadedPolicy,
  rolesOf: RolesOf,
): { ok: true; person: SignedInPerson } | { ok: false; reason: string } {
  const raw = claims[settings.identityClaim];
  if (typeof raw !== 'string' || raw === '') return { ok: false, reason: `the id token has no ${settings.identityClaim} claim` };
  const mapped = settings.identityClaim === 'email' ? identityOfEmail(raw, claims.email_verified, policy) : { ok: true as const, identity: raw };
  if (!mapped.ok) return mapped;
  const { identity } = mapped;
  if (!IDENTITY_ID_PATTERN.test(identity)) return { ok: false, reason: `${settings.identityClaim} "${identity}" is not usable as an identity id` };
  const groupsClaim = claims[settings.groupsClaim];
  const idpGroups = Array.isArray(groupsClaim) ? groupsClaim.filter((group): group is string => typeof group === 'string').slice(0, MAX_GROUPS) : [];
  const roles = rolesOf(policy, identity, idpGroups);
  if (roles.length === 0) return { ok: false, reason: `${identity} has no console role (the policy's roles: section)` };
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((method): method is string => typeof method === 'string') : undefined;
  return {
    ok: true,
    person: {
      identity,
      ...(email ? { email } : {}),
      idpGroups,
      roles,
      ...(typeof claims.auth_time === 'number' ? { authTime: claims.auth_time } : {}),
      ...(typeof claims.acr === 'string' ? { acr: claims.acr } : {}),
      ...(amr ? { amr } : {}),
    },
  };
}
