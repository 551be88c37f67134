import { createHmac } from 'node:crypto';
import { signSlackRequest, verifySlackSignature } from '../../../../channels/slack/inbound/signature';

const SECRET = 'test-signing-secret';
const NOW = 1_750_000_000;
const BODY = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0TALICE' } }))}`;

/** The v0 scheme computed here independently of the code under test. */
function expectedSignature(body: string, secret: string, timestamp: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

function verify(overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) {
  return verifySlackSignature({
    rawBody: BODY,
    timestamp: String(NOW),
    signature: expectedSignature(BODY, SECRET, NOW),
    signingSecret: SECRET,
    nowSeconds: NOW,
    ...overrides,
  });
}

describe('verifySlackSignature', () => {
  it("reproduces Slack's documented example", () => {
    // From Slack's "Verifying requests from Slack" guide (a slash command body).
    const rawBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
      '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
      '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
      '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const check = verifySlackSignature({
      rawBody,
      timestamp: '1531420618',
      signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
      nowSeconds: 1531420618 + 10,
    });
    expect(check).toEqual({ ok: true });
  });

  it('accepts a signature computed by the v0 scheme, as a string or a Buffer body', () => {
    expect(verify()).toEqual({ ok: true });
    expect(verify({ rawBody: Buffer.from(BODY, 'utf8') })).toEqual({ ok: true });
  });

  it('signSlackRequest produces the headers Slack would send', () => {
    expect(signSlackRequest(BODY, SECRET, NOW)).toEqual({
      'x-slack-request-timestamp': String(NOW),
      'x-slack-signature': expectedSignature(BODY, SECRET, NOW),
    });
    const headers = signSlackRequest(BODY, SECRET, NOW);
    expect(verify({ timestamp: headers['x-slack-request-timestamp'], signature: headers['x-slack-signature'] })).toEqual({ ok: true });
  });

  it('refuses a tampered body', () => {
    expect(verify({ rawBody: BODY.replace('U0TALICE', 'U0TMALLORY') })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ rawBody: `${BODY}&x=1` })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another secret', () => {
    expect(verify({ signature: expectedSignature(BODY, 'another-secret', NOW) })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made for another timestamp (the timestamp is signed)', () => {
    expect(verify({ signature: expectedSignature(BODY, SECRET, NOW - 1) })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a timestamp more than 5 minutes from now, in either direction', () => {
    for (const offset of [-301, 301]) {
      const timestamp = NOW + offset;
      const check = verify({ timestamp: String(timestamp), signature: expectedSignature(BODY, SECRET, timestamp) });
      expect(check).toEqual({ ok: false, reason: 'stale_timestamp' });
    }
    for (const offset of [-300, 300]) {
      const timestamp = NOW + offset;
      expect(verify({ timestamp: String(timestamp), signature: expectedSignature(BODY, SECRET, timestamp) })).toEqual({ ok: true });
    }
  });

  it('honours a custom tolerance', () => {
    const timestamp = NOW - 61;
    const signature = expectedSignature(BODY, SECRET, timestamp);
    expect(verify({ timestamp: String(timestamp), signature, toleranceSeconds: 60 })).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('refuses missing or malformed headers', () => {
    expect(verify({ timestamp: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ signature: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ timestamp: '', signature: '' })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ timestamp: `${NOW}.5` })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ timestamp: '1e9' })).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it('refuses signatures of a different length without throwing', () => {
    const good = expectedSignature(BODY, SECRET, NOW);
    for (const signature of [good.slice(0, -1), `${good}0`, 'v0=', 'v0=deadbeef', good.replace('v0=', 'v1='), good.toUpperCase(), 'é'.repeat(good.length)]) {
      expect(verify({ signature })).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });
});
