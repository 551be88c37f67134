import { SessionSealer, type ConsoleSession, type LoginTransaction } from '../../../api/console/session';

const SECRET = 'a-console-session-secret-of-32-chars!';
const session = (expiresAt: number): ConsoleSession => ({
  sid: 's1',
  identity: 'alice',
  issuer: 'https://idp.example',
  subject: '00u1',
  roles: ['reviewer'],
  idpGroups: ['staff'],
  authTime: 1_764_849_600,
  expiresAt,
});

describe('console session cookies (JWE under a key derived from the session secret)', () => {
  const sealer = new SessionSealer(SECRET);

  it('opens what it sealed, on any replica with the same secret, until it expires', async () => {
    const original = session(Date.now() + 60_000);
    const cookie = await sealer.sealSession(original);
    expect(await new SessionSealer(SECRET).openSession(cookie)).toEqual(original);
    expect(await sealer.openSession(cookie, original.expiresAt + 1)).toBeUndefined();
  });

  it('refuses a cookie sealed under another secret, or altered, or not a JWE', async () => {
    const cookie = await sealer.sealSession(session(Date.now() + 60_000));
    expect(await new SessionSealer(`${SECRET}x`).openSession(cookie)).toBeUndefined();
    expect(await new SessionSealer(undefined).openSession(cookie)).toBeUndefined();
    const parts = cookie.split('.');
    const altered = [...parts.slice(0, 3), `${parts[3]?.slice(0, -2) ?? ''}${parts[3]?.endsWith('A') ? 'B' : 'A'}A`, parts[4]].join('.');
    expect(await sealer.openSession(altered)).toBeUndefined();
    for (const junk of ['', 'x', 'a.b.c', `${cookie}.`]) expect(await sealer.openSession(junk)).toBeUndefined();
  });

  it('never takes a sign-in in progress for a session, or a session for one', async () => {
    const transaction: LoginTransaction = { state: 'st', nonce: 'n', codeVerifier: 'v', returnTo: '/console', expiresAt: Date.now() + 60_000 };
    const login = await sealer.sealLogin(transaction);
    expect(await sealer.openSession(login)).toBeUndefined();
    expect(await sealer.openLogin(await sealer.sealSession(session(Date.now() + 60_000)))).toBeUndefined();
    expect(await sealer.openLogin(login)).toEqual(transaction);
  });
});
