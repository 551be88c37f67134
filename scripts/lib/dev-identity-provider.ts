import type { TokenIssuer } from '../../config/token-issuers';
import type { PolicyDocument } from '../../policy/schema';
import { devAgentsFromPolicy, devPeopleFromPolicy, type DevPerson } from './dev-oidc-accounts';
import { AIRLOCK_AUDIENCE, startDevOidcProvider, type DevOidcProvider } from './dev-oidc-provider';
import { devOidcSecrets } from './dev-oidc-state';

export interface DevIdentityProviderOptions {
  /** .airlock/: the signing key is kept there. */
  stateDir: string;
  /** dev-keys.env: the agents' client secrets are kept there. */
  keysFile: string;
  policy: PolicyDocument;
  /** 0 for a free one. */
  port: number;
  /** Where browsers reach the console (`http://127.0.0.1:8080`): the console client is sent back to its /console/callback. */
  consoleUrl: string;
}

export interface DevIdentityProvider {
  provider: DevOidcProvider;
  /** The principals file entry that makes the API accept the agents' tokens. */
  tokenIssuer: TokenIssuer;
  people: DevPerson[];
  agentIds: string[];
}

/**
 * npm start's identity provider: the policy's people sign in at its dev page, its agents get a
 * client credentials client each (client id = identity id), with the key and secrets kept in
 * .airlock/ across starts.
 */
export async function startDevIdentityProvider(options: DevIdentityProviderOptions): Promise<DevIdentityProvider> {
  const people = devPeopleFromPolicy(options.policy);
  const agentIds = devAgentsFromPolicy(options.policy);
  const { signingKey, agents } = await devOidcSecrets(options.stateDir, options.keysFile, agentIds);
  const provider = await startDevOidcProvider({
    port: options.port,
    signingKey,
    people,
    agents,
    consoleRedirectUris: [`${options.consoleUrl}/console/callback`],
    accessTokenTtlSeconds: 3600,
  });
  return { provider, tokenIssuer: devTokenIssuer(provider.issuer, agentIds), people, agentIds };
}

/**
 * The API trusts the dev provider's access tokens for agents only: each client id maps to the
 * identity of the same id, with the requester role. People's sign-ins are for the console.
 */
export function devTokenIssuer(issuer: string, agentIds: readonly string[]): TokenIssuer {
  return {
    issuer,
    audience: AIRLOCK_AUDIENCE,
    identityClaim: 'sub',
    identities: Object.fromEntries(agentIds.map((id) => [id, id])),
    roles: ['requester'],
  };
}
