import { httpsUrl } from '../../net/https-url';
import { openIdClient, type OpenIdClient } from '../../net/openid-client';
import type { LoginTransaction } from './session';

/** The console's OpenID Connect client: who it is at which provider, and where the provider sends people back. */
export interface ConsoleOidcSettings {
  issuer: string;
  clientId: string;
  /** Absent: a public client proving itself with PKCE alone. */
  clientSecret?: string | undefined;
  /** `<console base URL>/console/callback`, registered at the provider. */
  redirectUri: string;
  scopes: string;
}

/** The id token's claims after openid-client has checked signature, issuer, audience, expiry, nonce and `auth_time`. */
export type IdTokenClaims = OpenIdClient.IDToken;

export interface SignIn {
  claims: IdTokenClaims;
}

/**
 * Authorization code flow with PKCE through openid-client: the provider's metadata comes from its
 * discovery document, fetched on first use and again after a failure (a provider that was down
 * when the API started does not disable the console).
 */
export class ConsoleOidcClient {
  private configuration: Promise<OpenIdClient.Configuration> | undefined;

  constructor(private readonly settings: ConsoleOidcSettings) {}

  /** Where to send the browser to sign in, and the transaction its callback must match. */
  async begin(returnTo: string, maxAgeSeconds: number | undefined, ttlMs = 10 * 60_000): Promise<{ url: URL; transaction: LoginTransaction }> {
    const config = await this.config();
    const codeVerifier = openIdClient.randomPKCECodeVerifier();
    const transaction: LoginTransaction = {
      state: openIdClient.randomState(),
      nonce: openIdClient.randomNonce(),
      codeVerifier,
      returnTo,
      ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}),
      expiresAt: Date.now() + ttlMs,
    };
    const url = openIdClient.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      code_challenge: await openIdClient.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
      // A step-up: the provider must authenticate the person again unless they did within max_age.
      ...(maxAgeSeconds !== undefined ? { max_age: String(maxAgeSeconds), prompt: 'login' } : {}),
    });
    return { url, transaction };
  }

  /** Redeems the callback's code; throws when any check fails (state, PKCE, the id token's signature and claims). */
  async complete(callbackUrl: URL, transaction: LoginTransaction): Promise<SignIn> {
    const config = await this.config();
    const tokens = await openIdClient.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: transaction.codeVerifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
      ...(transaction.maxAgeSeconds !== undefined ? { maxAge: transaction.maxAgeSeconds } : {}),
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the provider returned no id token');
    return { claims };
  }

  private config(): Promise<OpenIdClient.Configuration> {
    if (!this.configuration) {
      this.configuration = this.discover();
      this.configuration.catch(() => {
        this.configuration = undefined;
      });
    }
    return this.configuration;
  }

  private async discover(): Promise<OpenIdClient.Configuration> {
    const issuer = httpsUrl(this.settings.issuer);
    if ('problem' in issuer) throw new Error(`console OIDC issuer ${this.settings.issuer}: ${issuer.problem}`);
    const { clientId, clientSecret } = this.settings;
    const auth = clientSecret ? openIdClient.ClientSecretBasic(clientSecret) : openIdClient.None();
    // Plain http is allowed for loopback issuers only (httpsUrl refused anything else above): development and tests.
    const insecure = issuer.url.protocol === 'http:' ? { execute: [openIdClient.allowInsecureRequests] } : {};
    return openIdClient.discovery(issuer.url, clientId, undefined, auth, insecure);
  }
}
