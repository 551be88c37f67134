/**
 * openid-client (the console's sign-in), loaded for CommonJS code the way net/jose.ts loads jose: it
 * ships only ES modules, which Node requires natively and jest's config compiles for the tests.
 */
import type * as OpenIdClient from 'openid-client' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports -- see net/jose.ts: the one way to load an ES-only package from CommonJS under `node16`
export const openIdClient = require('openid-client') as typeof OpenIdClient;
export type { OpenIdClient };
