import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { callbackBody, createCallbackActivities, signCallback } from '../../../../channels/callback/outbound/activities';
import { callbackUrlProblem } from '../../../../channels/callback/callback-url';
import { parseCallbackTarget } from '../../../../config/callback-targets';
import { loadConfig } from '../../../../config/load';
import { ActionStatus, type ActionState } from '../../../../domain/types';

describe('callback signature', () => {
  it('is an HMAC-SHA256 of "timestamp.body" that a receiver can recompute', () => {
    const body = '{"id":"action-x","status":"succeeded"}';
    const header = signCallback(body, 'a-long-enough-secret', 1_800_000_000);
    const expected = createHmac('sha256', 'a-long-enough-secret').update(`1800000000.${body}`).digest('hex');
    expect(header).toBe(`t=1800000000,v1=${expected}`);
    expect(signCallback(`${body} `, 'a-long-enough-secret', 1_800_000_000)).not.toBe(header);
    expect(signCallback(body, 'another-secret-entirely', 1_800_000_000)).not.toBe(header);
  });

  it('carries the outcome and no request params', () => {
    const state: ActionState = {
      actionId: 'action-s3.copyObject-aaaaaaaaaaaaaaaa',
      status: ActionStatus.Rejected,
      request: {
        actionId: 'action-s3.copyObject-aaaaaaaaaaaaaaaa',
        action: 's3.copyObject',
        params: { sourceKey: 'secret-project/plan.csv' },
        justification: 'x',
        requester: { id: 'etl-bot', source: 'api' },
        requestedAt: '2026-11-21T00:00:00.000Z',
      },
      votes: [{ reviewer: 'bob', verdict: 'reject', comment: 'no DPA', channel: 'slack', at: '2026-11-21T00:01:00.000Z' }],
      updatedAt: '2026-11-21T00:01:00.000Z',
      closedAt: '2026-11-21T00:01:00.000Z',
    };
    const body = JSON.parse(callbackBody(state));
    expect(body).toMatchObject({ id: state.actionId, status: 'rejected', requester: 'etl-bot', votes: [{ reviewer: 'bob', comment: 'no DPA' }] });
    expect(JSON.stringify(body)).not.toContain('secret-project');
  });
});

describe('callback URL allow-list', () => {
  const allowed = ['agents.example.com', '127.0.0.1:4000'];
  it.each([
    ['https://agents.example.com/airlock/outcome', undefined],
    ['https://agents.example.com:443/airlock/outcome', undefined],
    ['http://127.0.0.1:4000/hook', undefined],
    ['http://agents.example.com/hook', 'must use https (http on loopback only)'],
    ['https://169.254.169.254/latest/meta-data', 'not in AIRLOCK_CALLBACK_ALLOWED_HOSTS'],
    ['https://user:pw@agents.example.com/hook', 'must not contain credentials'],
    ['not a url', 'must be an absolute URL'],
    ['file:///etc/passwd', 'must use https (http on loopback only)'],
  ])('%s → %s', (url, problem) => {
    const found = callbackUrlProblem(url, allowed);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it('refuses every callback when no host is allowed', () => {
    expect(callbackUrlProblem('https://agents.example.com/hook', [])).toContain('not enabled');
  });

  // The finding: an allowed host used to open all of its ports to the worker's POSTs.
  it.each([
    ['a bare host, any other port', ['agents.example.com'], 'https://agents.example.com:8443/hook', 'agents.example.com:8443 is not in'],
    ['a bare host, a port named like the https default', ['agents.example.com'], 'https://agents.example.com:80/hook', 'agents.example.com:80 is not in'],
    ["a bare loopback host, a port other than http's 80", ['127.0.0.1'], 'http://127.0.0.1:4000/hook', '127.0.0.1:4000 is not in'],
    ['host:port, another port', ['127.0.0.1:4000'], 'http://127.0.0.1:4001/hook', '127.0.0.1:4001 is not in'],
    ['host:port, the default port', ['agents.example.com:8443'], 'https://agents.example.com/hook', 'agents.example.com:443 is not in'],
    ['scheme://host:port, the other scheme', ['https://127.0.0.1:4000'], 'http://127.0.0.1:4000/hook', 'is not in'],
    ['another host on the allowed port', ['127.0.0.1:4000'], 'http://localhost:4000/hook', 'localhost:4000 is not in'],
  ])('refuses %s', (_case, entries, url, problem) => {
    expect(callbackUrlProblem(url, entries)).toContain(problem);
  });

  it.each([
    ['a bare host, its default port', ['AGENTS.example.com'], 'https://agents.example.com/hook'],
    ['a bare loopback host, plain http on port 80', ['127.0.0.1'], 'http://127.0.0.1/hook'],
    ['host:port', ['agents.example.com:8443'], 'https://agents.example.com:8443/hook'],
    ['scheme://host:port', ['https://agents.example.com:8443'], 'https://agents.example.com:8443/hook'],
    ['scheme://host, its default port', ['https://agents.example.com'], 'https://agents.example.com:443/hook'],
    ['an IPv6 loopback with its port', ['[::1]:4000'], 'http://[::1]:4000/hook'],
    ['a host written as the URL parser reads it', ['127.0.0.1:4000'], 'http://0x7f.0.0.1:4000/hook'],
  ])('allows %s', (_case, entries, url) => {
    expect(callbackUrlProblem(url, entries)).toBeUndefined();
  });
});

describe('the worker before it POSTs', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  /** A loopback receiver counting the requests it gets. */
  async function receiver(): Promise<{ url: string; hits: () => number }> {
    let hits = 0;
    const server = createServer((req, res) => {
      hits += 1;
      req.resume().on('end', () => res.writeHead(204).end());
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits: () => hits };
  }

  it('posts to an allowed host and port, and refuses another port of the same host without a request', async () => {
    const allowed = await receiver();
    const other = await receiver();
    const { deliverCallback } = createCallbackActivities({ secret: 'a-long-enough-secret', allowedHosts: [new URL(allowed.url).host] });
    const state = {
      actionId: 'action-x',
      status: ActionStatus.Succeeded,
      request: { action: 's3.copyObject', requester: { id: 'etl-bot' } },
      votes: [],
    } as unknown as ActionState;

    await deliverCallback({ url: allowed.url, state });
    expect(allowed.hits()).toBe(1);
    const refused = deliverCallback({ url: other.url, state });
    await expect(refused).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(refused).rejects.toMatchObject({
      type: 'CallbackNotAllowed',
      nonRetryable: true,
      message: expect.stringContaining('is not in AIRLOCK_CALLBACK_ALLOWED_HOSTS'),
    });
    expect(other.hits()).toBe(0);
  });
});

describe('AIRLOCK_CALLBACK_ALLOWED_HOSTS entries', () => {
  it.each([
    ['agents.example.com', { hostname: 'agents.example.com' }],
    [' Agents.Example.com:8443 ', { hostname: 'agents.example.com', port: 8443 }],
    ['[::1]:4000', { hostname: '[::1]', port: 4000 }],
    ['https://agents.example.com:8443', { hostname: 'agents.example.com', scheme: 'https:', port: 8443 }],
    ['https://agents.example.com/', { hostname: 'agents.example.com', scheme: 'https:', port: 443 }],
    ['http://127.0.0.1', { hostname: '127.0.0.1', scheme: 'http:', port: 80 }],
  ])('%s', (entry, target) => {
    expect(parseCallbackTarget(entry)).toEqual({ ok: true, target });
  });

  it.each([
    ['::1:4000', 'in brackets'],
    ['agents.example.com:0', 'port must be 1-65535'],
    ['agents.example.com:70000', 'port must be 1-65535'],
    ['agents.example.com:', 'is not host'],
    ['agents.example.com/hooks', 'is not host'],
    ['https://agents.example.com:8443/hooks', 'nothing after the port'],
    ['https://user@agents.example.com:8443', 'nothing after the port'],
    ['ftp://agents.example.com:21', 'scheme must be https or http'],
    ['https://', 'not a valid scheme://host:port'],
  ])('refuses %s', (entry, problem) => {
    const parsed = parseCallbackTarget(entry);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toContain(problem);
  });

  it('stops start-up naming the variable and the bad entry', () => {
    expect(() => loadConfig({ AIRLOCK_CALLBACK_ALLOWED_HOSTS: 'agents.example.com:8443,::1:4000' })).toThrow(
      /AIRLOCK_CALLBACK_ALLOWED_HOSTS: "::1:4000" is not host, host:port/,
    );
    expect(loadConfig({ AIRLOCK_CALLBACK_ALLOWED_HOSTS: ' agents.example.com:8443 , 127.0.0.1:4000 ' }).AIRLOCK_CALLBACK_ALLOWED_HOSTS).toEqual([
      'agents.example.com:8443',
      '127.0.0.1:4000',
    ]);
  });
});
