import { readCookie, SESSION_TTL_MS, SessionSigner } from '../../../api/codec/session';

describe('codec sessions', () => {
  const signer = new SessionSigner('a-test-secret-that-is-long-enough-0123');

  it('verifies a token it issued until it expires', () => {
    const now = Date.UTC(2026, 10, 29, 12);
    const { token } = signer.issue('olive', now);
    expect(signer.verify(token, now + 1000)).toEqual({ principalId: 'olive', expiresAt: now + SESSION_TTL_MS });
    expect(signer.verify(token, now + SESSION_TTL_MS)).toBeUndefined();
  });

  it('refuses a token signed with another secret, or with its claims edited', () => {
    const { token } = signer.issue('olive');
    expect(new SessionSigner('another-secret-that-is-long-enough-0123').verify(token)).toBeUndefined();
    const [, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'root', exp: Date.now() + 10_000 })).toString('base64url');
    expect(signer.verify(`${forged}.${signature}`)).toBeUndefined();
    expect(signer.verify('garbage')).toBeUndefined();
    expect(signer.verify(`${token}.extra`)).toBeUndefined();
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(readCookie('a=1; airlock_codec_session=tok.sig; b=2', 'airlock_codec_session')).toBe('tok.sig');
    expect(readCookie('xairlock_codec_session=1', 'airlock_codec_session')).toBeUndefined();
    expect(readCookie(undefined, 'x')).toBeUndefined();
  });
});
