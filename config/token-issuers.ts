import { z } from 'zod';
import { IDENTITY_ID_PATTERN, PrincipalRole } from './principals';
import { httpsUrl } from '../net/https-url';
import { expecting } from './yaml-file';

/**
 * Where signing keys come from must be https: over plain http anyone on the path could hand the
 * API their own keys. Plain http on loopback only, for development and tests.
 */
export function keySourceProblem(raw: string): string | undefined {
  const checked = httpsUrl(raw);
  return 'problem' in checked ? checked.problem : undefined;
}

const keySourceUrl = z.string(expecting('a URL')).superRefine((raw, ctx) => {
  const problem = keySourceProblem(raw);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** OpenID Connect issuers are URLs without query or fragment, compared as strings with the token's `iss`. */
const issuerUrl = keySourceUrl.superRefine((raw, ctx) => {
  if (URL.canParse(raw) && (new URL(raw).search || raw.includes('#'))) ctx.addIssue({ code: 'custom', message: 'must have no query or fragment' });
});

const identityId = z
  .string(expecting('an identity id'))
  .regex(IDENTITY_ID_PATTERN, 'must be an identity id: 2-64 letters, digits and _+=,.@- starting with a letter or digit');

/**
 * One identity provider whose tokens the API accepts (the principals file's `tokenIssuers:`): people
 * through a console, agents through workload identity (a Kubernetes service account, a CI job).
 */
export const tokenIssuerSchema = z.strictObject({
  /** Must equal the token's `iss` exactly; discovery at `<issuer>/.well-known/openid-configuration` names the keys. */
  issuer: issuerUrl,
  /** The token's `aud` must be, or contain, this value. */
  audience: z.string(expecting('a string')).min(1),
  /** The issuer's JWKS, when it has no discovery document (or the API cannot reach it). */
  jwksUrl: keySourceUrl.optional(),
  /** The claim that names the caller: `sub` by default; `email` for people, say. Top-level string claims only. */
  identityClaim: z.string(expecting('a claim name')).min(1).default('sub'),
  /** Claim value to identity id. Without it the claim value is the id (and must be one); with it, an unlisted value is refused. */
  identities: z.record(z.string().min(1), identityId, expecting('a mapping of claim values to identity ids')).optional(),
  /** Every identity this issuer vouches for gets exactly these roles, whatever an API key of the same id has. */
  roles: z.array(PrincipalRole, expecting('a list of roles')).min(1, 'must list at least 1 role'),
});

export type TokenIssuer = z.infer<typeof tokenIssuerSchema>;
