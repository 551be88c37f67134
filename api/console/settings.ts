import type { AirlockConfig } from '../../config/schema';
import type { LoadedPolicy } from '../../policy';
import { consoleRolesOf } from '../../policy/roles';
import type { ConsoleSettings } from './plugin';

/**
 * The console's settings from the environment: on when an OpenID issuer and client id are set. Its
 * public URL defaults to the API's own loopback address (development); behind a proxy or on another
 * host, AIRLOCK_CONSOLE_URL must say where browsers reach it (the provider sends them back there).
 */
export function consoleSettingsFrom(config: AirlockConfig, policy: () => LoadedPolicy): ConsoleSettings | undefined {
  const issuer = config.AIRLOCK_CONSOLE_OIDC_ISSUER;
  const clientId = config.AIRLOCK_CONSOLE_OIDC_CLIENT_ID;
  if (!issuer || !clientId) return undefined;
  return {
    baseUrl: config.AIRLOCK_CONSOLE_URL ?? `http://127.0.0.1:${config.AIRLOCK_API_PORT}`,
    oidc: { issuer, clientId, clientSecret: config.AIRLOCK_CONSOLE_OIDC_CLIENT_SECRET, scopes: config.AIRLOCK_CONSOLE_OIDC_SCOPES },
    claims: { identityClaim: config.AIRLOCK_CONSOLE_IDENTITY_CLAIM, groupsClaim: config.AIRLOCK_CONSOLE_GROUPS_CLAIM },
    sessionSecret: config.AIRLOCK_CONSOLE_SESSION_SECRET,
    sessionTtlMs: config.AIRLOCK_CONSOLE_SESSION_TTL,
    policy,
    rolesOf: consoleRolesOf,
  };
}
