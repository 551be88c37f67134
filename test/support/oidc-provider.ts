import { randomBytes } from 'node:crypto';
import { AIRLOCK_AUDIENCE, AIRLOCK_RESOURCE, startDevOidcProvider, type DevOidcProvider } from '../../scripts/lib/dev-oidc-provider';

export { AIRLOCK_AUDIENCE, AIRLOCK_RESOURCE };
/** Another API's resource: its tokens are signed by the same issuer for another audience. */
export const OTHER_RESOURCE = 'urn:other-api';

export type TestOidcProvider = DevOidcProvider;

/**
 * The dev identity provider `npm start` runs (scripts/lib/dev-oidc-provider.ts) on a free loopback
 * port, with a new key: `clientIds` are client credentials clients, and tokens may also be asked
 * for another API's resource, to test audience checks.
 */
export function startTestOidcProvider(clientIds: readonly string[]): Promise<TestOidcProvider> {
  const secret = randomBytes(24).toString('base64url');
  return startDevOidcProvider({
    agents: clientIds.map((clientId) => ({ clientId, secret })),
    resources: { [AIRLOCK_RESOURCE]: AIRLOCK_AUDIENCE, [OTHER_RESOURCE]: 'other-api' },
  });
}
