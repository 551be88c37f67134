import { BOT_FRAMEWORK_ISSUER, BotTokenVerifier } from '../../../../channels/teams/inbound/verify-token';
import { startBotFrameworkIssuer, TEST_TEAMS_APP_ID, type BotFrameworkIssuer } from '../../../support/bot-framework-tokens';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const activity = { serviceUrl: SERVICE_URL, channelId: 'msteams' };

describe('Bot Framework token verification', () => {
  let issuer: BotFrameworkIssuer;
  let verifier: BotTokenVerifier;

  beforeAll(async () => {
    issuer = await startBotFrameworkIssuer();
    verifier = new BotTokenVerifier({ appId: TEST_TEAMS_APP_ID, jwksUrl: issuer.jwksUrl });
  });
  afterAll(() => issuer.stop());

  const bearer = (token: string) => `Bearer ${token}`;

  it('accepts a token signed by a trusted key, for this app, for this serviceUrl', async () => {
    const token = await issuer.signToken({ serviceUrl: SERVICE_URL });
    await expect(verifier.verify(bearer(token), activity)).resolves.toEqual({ ok: true });
  });

  it('accepts a serviceUrl that differs only by a trailing slash', async () => {
    const token = await issuer.signToken({ serviceUrl: SERVICE_URL.replace(/\/$/, '') });
    await expect(verifier.verify(bearer(token), activity)).resolves.toEqual({ ok: true });
  });

  it('accepts a token expired less than the 5 minute skew ago', async () => {
    const token = await issuer.signToken({ serviceUrl: SERVICE_URL }, { expiresIn: -240 });
    await expect(verifier.verify(bearer(token), activity)).resolves.toEqual({ ok: true });
  });

  it.each([
    ['no header', async () => undefined, 'missing_token'],
    ['not a bearer', async () => `Basic ${Buffer.from('a:b').toString('base64')}`, 'missing_token'],
    ['garbage', async () => 'Bearer not.a.jwt', 'malformed_token'],
    ['unsigned (alg none)', async () => bearer(await issuer.signToken({ serviceUrl: SERVICE_URL }, { unsigned: true })), 'bad_algorithm'],
    ['signed by another key', async () => bearer(await issuer.signToken({ serviceUrl: SERVICE_URL }, { foreignKey: true })), 'bad_signature'],
    ['expired beyond the skew', async () => bearer(await issuer.signToken({ serviceUrl: SERVICE_URL }, { expiresIn: -360 })), 'expired'],
    ['for another app', async () => bearer(await issuer.signToken({ serviceUrl: SERVICE_URL, aud: 'another-app' })), 'wrong_audience'],
    ['from another issuer', async () => bearer(await issuer.signToken({ serviceUrl: SERVICE_URL, iss: 'https://sts.windows.net/evil/' })), 'wrong_issuer'],
    ['for another serviceUrl', async () => bearer(await issuer.signToken({ serviceUrl: 'https://evil.example/' })), 'service_url_mismatch'],
    ['without a serviceUrl claim', async () => bearer(await issuer.signToken({})), 'service_url_mismatch'],
  ])('refuses a token %s', async (_name, header, reason) => {
    const check = await verifier.verify(await header(), activity);
    expect(check).toMatchObject({ ok: false, reason });
  });

  it('refuses an activity from a channel the key is not endorsed for', async () => {
    const token = await issuer.signToken({ serviceUrl: SERVICE_URL });
    await expect(verifier.verify(bearer(token), { serviceUrl: SERVICE_URL, channelId: 'webchat' })).resolves.toMatchObject({
      ok: false,
      reason: 'channel_not_endorsed',
    });
  });

  it('refuses everything when the keys cannot be read', async () => {
    const offline = new BotTokenVerifier({ appId: TEST_TEAMS_APP_ID, jwksUrl: new URL('http://127.0.0.1:1/keys') });
    const token = await issuer.signToken({ serviceUrl: SERVICE_URL });
    await expect(offline.verify(bearer(token), activity)).resolves.toMatchObject({ ok: false, reason: 'keys_unavailable' });
  });

  it('names Bot Framework as the issuer', () => {
    expect(BOT_FRAMEWORK_ISSUER).toBe('https://api.botframework.com');
  });
});
