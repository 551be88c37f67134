import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from './load';

/** `operator`: may decode payloads through the codec endpoint (see plaintext in the Temporal UI). */
export const PrincipalRole = z.enum(['requester', 'reviewer', 'admin', 'auditor', 'operator']);
export type PrincipalRole = z.infer<typeof PrincipalRole>;

/** Identity ids double as STS SourceIdentity, so they use its character set. */
export const IDENTITY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_+=,.@-]{1,63}$/;

/** One entry of the principals file's `principals:`: an identity, its roles, and the hash of its API key. */
export const principalSchema = z.strictObject({
  id: z.string().regex(IDENTITY_ID_PATTERN, 'must be 2-64 characters of letters, digits and _+=,.@-'),
  roles: z.array(PrincipalRole).min(1),
  /** sha256 hex of the API key; the key itself is never stored. */
  keySha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (sha256 of the key)'),
});

export type ApiKeyPrincipal = z.infer<typeof principalSchema>;

/** Whoever a request authenticated as: by an API key, or by a token from a trusted issuer (api/authenticator.ts). */
export interface Principal {
  id: string;
  roles: readonly PrincipalRole[];
}

/** API principals indexed by key hash. Keys are 256-bit random tokens, so a plain sha256 suffices. */
export class PrincipalDirectory {
  private readonly byHash = new Map<string, ApiKeyPrincipal>();
  private readonly byId = new Map<string, ApiKeyPrincipal>();

  constructor(principals: readonly ApiKeyPrincipal[]) {
    for (const principal of principals) {
      if (this.byHash.has(principal.keySha256)) throw new ConfigError(`principals: duplicate key hash for ${principal.id}`);
      this.byHash.set(principal.keySha256, principal);
      this.byId.set(principal.id, principal);
    }
  }

  /** The principal with this id, if it is still configured (codec sessions re-check it on every use). */
  byIdentity(id: string): ApiKeyPrincipal | undefined {
    return this.byId.get(id);
  }

  /** The principal holding this API key, if any. */
  authenticate(apiKey: string): ApiKeyPrincipal | undefined {
    return this.byHash.get(hashApiKey(apiKey));
  }
}

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** A new API key: `alk_` and 32 random bytes, base64url. */
export function generateApiKey(): string {
  return `alk_${randomBytes(32).toString('base64url')}`;
}
