import { personFromClaims, type RolesOf } from '../../../api/console/sign-in-identity';
import type { IdTokenClaims } from '../../../api/console/oidc';
import { consoleRolesOf, parsePolicy } from '../../../policy';

const policy = parsePolicy(
  `version: 1
identities:
  alice: { email: alice@example.com }
  ops@example.com: {}
groups:
  data-owners: { members: [alice], idpGroups: [finance] }
rules: []
`,
  'policy.yaml',
);
const settings = { identityClaim: 'email', groupsClaim: 'groups' };
const claims = (extra: Record<string, unknown>): IdTokenClaims =>
  ({ iss: 'https://idp.example', sub: 's', aud: 'airlock-console', iat: 1, exp: 2, auth_time: 1_764_849_600, ...extra }) as IdTokenClaims;
const signIn = (extra: Record<string, unknown>, rolesOf: RolesOf = consoleRolesOf) => personFromClaims(claims(extra), settings, policy, rolesOf);

describe('who a console sign-in is', () => {
  it('maps a listed email to its identity, case aside, with the sign-in facts', () => {
    expect(signIn({ email: 'Alice@Example.com', acr: 'mfa', amr: ['pwd', 'otp'], groups: ['finance', 7] })).toEqual({
      ok: true,
      person: {
        identity: 'alice',
        email: 'Alice@Example.com',
        idpGroups: ['finance'],
        roles: ['reviewer'],
        authTime: 1_764_849_600,
        acr: 'mfa',
        amr: ['pwd', 'otp'],
      },
    });
  });

  it('makes an unlisted address its own identity (onboarding is an IdP change)', () => {
    expect(signIn({ email: 'Frank@Example.com', groups: ['finance'] })).toMatchObject({ ok: true, person: { identity: 'frank@example.com' } });
  });

  it.each([
    ['an unverified address', { email: 'frank@example.com', email_verified: false }, /not verified/],
    ['a claim that is no address', { email: 'alice' }, /not an email address/],
    ['no claim', {}, /no email claim/],
    ["an address that is another identity's id", { email: 'OPS@example.com' }, /policy identity with another email/],
  ])('refuses %s', (_label, extra, reason) => {
    const outcome = signIn(extra);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.reason).toMatch(reason);
  });

  it('refuses someone the roles give nothing', () => {
    const outcome = signIn({ email: 'frank@example.com' }, () => []);
    expect(outcome).toEqual({ ok: false, reason: "frank@example.com has no console role (the policy's roles: section)" });
  });
});
