import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newDevSigningKey, type DevAgentClient, type DevSigningKey } from './dev-oidc-provider';
import { PRIVATE_FILE_MODE } from './private-state';

export interface DevOidcSecrets {
  signingKey: DevSigningKey;
  agents: DevAgentClient[];
}

/** The shell variable dev-keys.env sets to an agent's client secret, e.g. AIRLOCK_OIDC_CLIENT_SECRET_ETL_BOT for etl-bot. */
export function devClientSecretVariable(clientId: string): string {
  return `AIRLOCK_OIDC_CLIENT_SECRET_${clientId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The dev identity provider's signing key (.airlock/oidc-signing.jwk) and a client secret per
 * agent (in dev-keys.env, beside the API keys), each made on first use, mode 600. Kept across
 * starts, so tokens and secrets an agent holds stay good when npm start restarts.
 */
export async function devOidcSecrets(stateDir: string, keysFile: string, agentIds: readonly string[]): Promise<DevOidcSecrets> {
  const keyFile = join(stateDir, 'oidc-signing.jwk');
  let signingKey: DevSigningKey;
  if (existsSync(keyFile)) {
    signingKey = { jwk: JSON.parse(readFileSync(keyFile, 'utf8')) as DevSigningKey['jwk'] };
  } else {
    signingKey = await newDevSigningKey();
    writeFileSync(keyFile, `${JSON.stringify(signingKey.jwk)}\n`, { mode: PRIVATE_FILE_MODE });
  }

  const lines = readFileSync(keysFile, 'utf8').split('\n');
  const agents = agentIds.map((clientId) => {
    const prefix = `export ${devClientSecretVariable(clientId)}=`;
    const secret = lines
      .find((line) => line.startsWith(prefix))
      ?.slice(prefix.length)
      .trim();
    return { clientId, secret: secret || '' };
  });
  const added = agents.filter((agent) => !agent.secret);
  for (const agent of added) agent.secret = randomBytes(24).toString('base64url');
  if (added.length > 0) appendFileSync(keysFile, added.map(({ clientId, secret }) => `export ${devClientSecretVariable(clientId)}=${secret}\n`).join(''));
  return { signingKey, agents };
}
