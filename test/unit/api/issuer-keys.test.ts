import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IssuerKeys } from '../../../api/issuer-keys';

/** A discovery endpoint on loopback answering `metadata(issuer)`, counting requests. */
async function discoveryServer(metadata: (issuer: string) => object | undefined): Promise<{ issuer: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  let issuer = '';
  const server: Server = createServer((request, response) => {
    hits++;
    const body = request.url === '/.well-known/openid-configuration' ? metadata(issuer) : undefined;
    if (!body) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, hits: () => hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const entry = (issuer: string) => ({ issuer, audience: 'airlock', identityClaim: 'sub', roles: ['requester' as const] });

describe("an issuer's keys", () => {
  it('follows discovery to the jwks_uri of a document naming the same issuer', async () => {
    const server = await discoveryServer((issuer) => ({ issuer, jwks_uri: `${issuer}/jwks` }));
    try {
      await expect(new IssuerKeys(entry(server.issuer)).resolver()).resolves.toEqual(expect.any(Function));
    } finally {
      await server.close();
    }
  });

  it.each([
    ['names another issuer', (issuer: string) => ({ issuer: `${issuer}/other`, jwks_uri: `${issuer}/jwks` }), /names another issuer/],
    ['has no jwks_uri', (issuer: string) => ({ issuer }), /has no jwks_uri/],
    ['puts the keys on plain http off loopback', (issuer: string) => ({ issuer, jwks_uri: 'http://keys.example.com/jwks' }), /jwks_uri must use https/],
  ])('refuses a discovery document that %s', async (_label, metadata, message) => {
    const server = await discoveryServer(metadata);
    try {
      await expect(new IssuerKeys(entry(server.issuer)).resolver()).rejects.toThrow(message);
    } finally {
      await server.close();
    }
  });

  it('tries a failed discovery again only after 30 s, however many tokens arrive', async () => {
    const server = await discoveryServer(() => undefined);
    const keys = new IssuerKeys(entry(server.issuer));
    try {
      await expect(keys.resolver()).rejects.toThrow(/answered 404/);
      await expect(keys.resolver()).rejects.toThrow(/answered 404/);
      expect(server.hits()).toBe(1);
      const now = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(now + 30_001);
      await expect(keys.resolver()).rejects.toThrow(/answered 404/);
      expect(server.hits()).toBe(2);
    } finally {
      jest.restoreAllMocks();
      await server.close();
    }
  });
});
