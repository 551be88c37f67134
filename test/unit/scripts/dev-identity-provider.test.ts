import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrincipalsFile } from '../../../config/principals-file';
import { loadPolicyFile } from '../../../policy';
import { devTokenIssuer } from '../../../scripts/lib/dev-identity-provider';
import { devAccountFinder, devAgentsFromPolicy, devPeopleFromPolicy } from '../../../scripts/lib/dev-oidc-accounts';
import { devOidcSecrets } from '../../../scripts/lib/dev-oidc-state';
import { ensureDevPrincipals, setDevTokenIssuers } from '../../../scripts/lib/dev-principals';
import { privateStateDir } from '../../../scripts/lib/private-state';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';

const example = loadPolicyFile(join(PROJECT_ROOT, 'config', 'example-policy.yaml')).document;
const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe("the dev identity provider's accounts (config/example-policy.yaml)", () => {
  it("are the policy's people, with their email and groups; its agents are those with no channel id", () => {
    expect(devPeopleFromPolicy(example)).toEqual([
      { id: 'alice', email: 'alice@example.com', groups: ['data-owners'] },
      { id: 'bob', email: 'bob@example.com', groups: ['data-owners'] },
      { id: 'carol', email: 'carol@example.com', groups: ['data-owners'] },
      { id: 'dave', email: 'dave@example.com', groups: ['security'] },
    ]);
    expect(devAgentsFromPolicy(example)).toEqual(['etl-bot']);
  });

  it('find a person by login name, with the claims of their id token, and nobody else', async () => {
    const findAccount = devAccountFinder(devPeopleFromPolicy(example));
    const dave = await findAccount(undefined, 'dave');
    expect(dave?.accountId).toBe('dave');
    expect(await dave?.claims()).toEqual({ sub: 'dave', email: 'dave@example.com', groups: ['security'] });
    for (const name of ['mallory', 'etl-bot', 'Alice', 'constructor', '__proto__', '']) expect(await findAccount(undefined, name)).toBeUndefined();
  });
});

describe("the dev identity provider's state in .airlock/", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'airlock-state-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps its signing key (0600) and the agents’ client secrets (in dev-keys.env) across starts', async () => {
    const state = join(root, '.airlock');
    privateStateDir(state);
    const { keysFile } = ensureDevPrincipals(state);
    const first = await devOidcSecrets(state, keysFile, ['etl-bot']);
    const again = await devOidcSecrets(state, keysFile, ['etl-bot']);
    expect(again).toEqual(first);
    expect(modeOf(join(state, 'oidc-signing.jwk'))).toBe(0o600);
    expect(first.signingKey.jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', d: expect.any(String) });
    expect(readFileSync(keysFile, 'utf8')).toContain(`export AIRLOCK_OIDC_CLIENT_SECRET_ETL_BOT=${first.agents[0]?.secret}\n`);
    expect(modeOf(keysFile)).toBe(0o600);
    expect(first.agents[0]?.secret).toMatch(/^[\w-]{32}$/);
  });

  it('writes the dev issuer into the principals file on each start, replacing the last one and keeping the principals', () => {
    const state = join(root, '.airlock');
    privateStateDir(state);
    const { principalsFile } = ensureDevPrincipals(state);
    const before = loadPrincipalsFile(principalsFile).principals;
    setDevTokenIssuers(principalsFile, [devTokenIssuer('http://127.0.0.1:8091', ['etl-bot'])]);
    // The next start found 8091 taken.
    setDevTokenIssuers(principalsFile, [devTokenIssuer('http://127.0.0.1:40123', ['etl-bot'])]);

    const file = loadPrincipalsFile(principalsFile);
    expect(file.tokenIssuers).toEqual([
      { issuer: 'http://127.0.0.1:40123', audience: 'airlock', identityClaim: 'sub', identities: { 'etl-bot': 'etl-bot' }, roles: ['requester'] },
    ]);
    expect(file.principals).toEqual(before);
    expect(modeOf(principalsFile)).toBe(0o600);
    // A later start that adds a missing principal keeps the issuer.
    ensureDevPrincipals(state);
    expect(loadPrincipalsFile(principalsFile).tokenIssuers).toHaveLength(1);
  });
});
