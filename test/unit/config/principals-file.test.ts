import { parsePrincipalsFile, PrincipalsFileError } from '../../../config/principals-file';

const HASH = 'a'.repeat(64);

/** A principals file with one API key and the given `tokenIssuers:` entries (YAML, indented as list items). */
function file(issuers: string): string {
  return `principals:
  - id: etl-bot
    roles: [requester]
    keySha256: '${HASH}'
tokenIssuers:
${issuers}`;
}

function issuesOf(text: string): string[] {
  try {
    parsePrincipalsFile(text, 'principals.yaml');
  } catch (err) {
    if (err instanceof PrincipalsFileError) return err.issues.map((issue) => `${issue.line ?? '?'}: ${issue.path}: ${issue.message}`);
    throw err;
  }
  throw new Error('the file was accepted');
}

describe('the principals file', () => {
  it('reads token issuers beside API keys, with `sub` as the identity claim by default', () => {
    const parsed = parsePrincipalsFile(
      file(`  - issuer: https://token.actions.githubusercontent.com
    audience: airlock
    identities: { 'repo:acme/etl:ref:refs/heads/main': etl-bot }
    roles: [requester]
  - issuer: https://idp.example.com/
    audience: airlock-console
    identityClaim: email
    roles: [reviewer]
`),
      'principals.yaml',
    );
    expect(parsed.principals.authenticate('no such key')).toBeUndefined();
    expect(parsed.principals.byIdentity('etl-bot')).toMatchObject({ roles: ['requester'] });
    expect(parsed.tokenIssuers).toEqual([
      {
        issuer: 'https://token.actions.githubusercontent.com',
        audience: 'airlock',
        identityClaim: 'sub',
        identities: { 'repo:acme/etl:ref:refs/heads/main': 'etl-bot' },
        roles: ['requester'],
      },
      { issuer: 'https://idp.example.com/', audience: 'airlock-console', identityClaim: 'email', roles: ['reviewer'] },
    ]);
  });

  it('still reads a file with API keys only', () => {
    const parsed = parsePrincipalsFile(`principals:\n  - { id: etl-bot, roles: [requester], keySha256: '${HASH}' }\n`, 'principals.yaml');
    expect(parsed.tokenIssuers).toEqual([]);
  });

  it.each([
    ['no roles', `  - { issuer: https://idp.example.com, audience: airlock, roles: [] }`, ['6: tokenIssuers[0].roles: must list at least 1 role']],
    ['a missing audience', `  - { issuer: https://idp.example.com, roles: [requester] }`, ['6: tokenIssuers[0].audience: required']],
    [
      'an unknown role',
      `  - { issuer: https://idp.example.com, audience: airlock, roles: [superuser] }`,
      ['6: tokenIssuers[0].roles[0]: must be one of requester, reviewer, admin, auditor, operator'],
    ],
    [
      'a misspelt field',
      `  - { issuer: https://idp.example.com, audience: airlock, roles: [requester], identityclaim: email }`,
      ['6: tokenIssuers[0].identityclaim: unknown field (expected one of: issuer, audience, jwksUrl, identityClaim, identities, roles)'],
    ],
    [
      'an issuer over plain http',
      `  - { issuer: http://idp.example.com, audience: airlock, roles: [requester] }`,
      ['6: tokenIssuers[0].issuer: must use https (http on loopback only)'],
    ],
    [
      'an issuer with a query',
      `  - { issuer: 'https://idp.example.com/?tenant=1', audience: airlock, roles: [requester] }`,
      ['6: tokenIssuers[0].issuer: must have no query or fragment'],
    ],
    [
      'a JWKS URL that is not a URL',
      `  - { issuer: https://idp.example.com, jwksUrl: keys.json, audience: airlock, roles: [requester] }`,
      ['6: tokenIssuers[0].jwksUrl: must be an absolute URL'],
    ],
    [
      'a mapped identity that is no identity id',
      `  - issuer: https://idp.example.com
    audience: airlock
    roles: [requester]
    identities: { 'system:serviceaccount:etl:runner': 'etl bot' }`,
      [
        '9: tokenIssuers[0].identities["system:serviceaccount:etl:runner"]: must be an identity id: 2-64 letters, digits and _+=,.@- starting with a letter or digit',
      ],
    ],
    [
      'one issuer listed twice',
      `  - { issuer: https://idp.example.com, audience: airlock, roles: [requester] }
  - { issuer: https://idp.example.com, audience: console, roles: [reviewer] }`,
      ['7: tokenIssuers[1].issuer: https://idp.example.com is listed twice'],
    ],
  ])('refuses %s, naming line and field', (_label, issuers, expected) => {
    expect(issuesOf(file(issuers))).toEqual(expected);
  });

  it('names the file in the error message', () => {
    expect(() => parsePrincipalsFile(file(`  - { issuer: https://idp.example.com, roles: [requester] }`), 'deploy/principals.yaml')).toThrow(
      'deploy/principals.yaml:6: tokenIssuers[0].audience: required',
    );
  });
});
