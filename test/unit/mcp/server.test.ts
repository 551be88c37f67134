import { type Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { connectInMemory } from './in-memory';
import { toolText as text } from '../../../mcp/tool-text';
import { AirlockApiError, type ActionView } from '../../../client';
import { RELEASE } from '../../../config/release';

/** A view with what the tools read; the rest as the API fills it for a fresh request. */
function view(status: ActionView['status'], extra: Partial<ActionView> = {}): ActionView {
  return {
    id: 'action-s3.copyObject-abcdefghjkmnpqrs',
    status,
    action: 's3.copyObject',
    params: {},
    justification: 'Quarterly report for finance',
    context: null,
    requester: { id: 'etl-bot', source: 'api' },
    requestedAt: '2026-01-01T00:00:00.000Z',
    summary: 'copy s3://a/k to s3://b/k',
    preview: null,
    policy: { effect: 'review', ruleId: 'review-exports', reason: 'Data leaves its home bucket', risk: 'high', policyHash: 'sha256:0' },
    review: {
      approverGroups: ['data-owners'],
      eligibleApprovers: ['alice', 'bob', 'carol'],
      quorum: 1,
      approvals: [],
      deadline: null,
      channels: ['api'],
      reminders: [],
      escalation: null,
    },
    votes: [],
    cancellation: null,
    result: null,
    error: null,
    notifications: [],
    updatedAt: '2026-01-01T00:00:00.000Z',
    closedAt: null,
    links: { self: '', decisions: '', cancel: '' },
    ...extra,
  };
}

/** Pending, with one of two approvals given. */
function quorumOfTwo(): ActionView {
  const pending = view('pending_review');
  return { ...pending, review: pending.review && { ...pending.review, quorum: 2, approvals: ['alice'] } };
}

/** What the tools call, scripted per test; it records each wait it was asked for. */
class FakeClient {
  waits: number[] = [];
  request: () => Promise<ActionView> = async () => view('pending_review');
  get: () => Promise<ActionView> = async () => view('pending_review');
  waitAnswers: (() => Promise<ActionView>)[] = [];
  listActions = async () => [];
  cancel = async () => view('cancelled');

  async waitForOutcome(_id: string, options: { timeoutSeconds?: number }): Promise<ActionView> {
    this.waits.push(options.timeoutSeconds ?? -1);
    const next = this.waitAnswers.shift();
    if (!next) throw new Error('no scripted answer left');
    return next();
  }
}

function connect(fake: FakeClient): Promise<Client> {
  return connectInMemory(fake);
}

const REQUEST = { action: 's3.copyObject', params: { sourceBucket: 'a' }, justification: 'Quarterly report for finance' };

describe('MCP tools over a scripted client', () => {
  it('reports where the action stands at once, then waits in steps and reports progress after each while it is pending', async () => {
    const fake = new FakeClient();
    fake.waitAnswers = [async () => view('pending_review'), async () => view('executing'), async () => view('succeeded')];
    const client = await connect(fake);
    const progress: Progress[] = [];
    const result = (await client.callTool({ name: 'get_action', arguments: { id: 'action-x', wait_seconds: 300 } }, undefined, {
      onprogress: (p) => progress.push(p),
      resetTimeoutOnProgress: true,
    })) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ status: 'succeeded' });
    expect(fake.waits).toEqual([20, 20, 20]);
    expect(progress.map((p) => p.message)).toEqual([
      'action-s3.copyObject-abcdefghjkmnpqrs is pending_review',
      'action-s3.copyObject-abcdefghjkmnpqrs is pending_review',
      'action-s3.copyObject-abcdefghjkmnpqrs is executing',
    ]);
    await client.close();
  });

  it('answers with the action when a wait fails after the request was made, so the model polls instead of asking again', async () => {
    const fake = new FakeClient();
    fake.waitAnswers = [async () => Promise.reject(new Error('socket hang up'))];
    const client = await connect(fake);
    const result = (await client.callTool({ name: 'request_action', arguments: { ...REQUEST, wait_seconds: 5 } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ id: 'action-s3.copyObject-abcdefghjkmnpqrs', status: 'pending_review' });
    expect(text(result)).toContain('(Waiting was cut short: socket hang up.)');
    expect(fake.waits).toEqual([5]);
    await client.close();
  });

  it('turns API refusals and network failures into tool errors a model can act on', async () => {
    const fake = new FakeClient();
    fake.request = () => Promise.reject(new AirlockApiError(401, 'unauthenticated', 'missing or unknown API key'));
    fake.get = () => Promise.reject(new TypeError('fetch failed'));
    const client = await connect(fake);
    const refused = (await client.callTool({ name: 'request_action', arguments: REQUEST })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/^Airlock refused \(401 unauthenticated\): missing or unknown API key\nThe Airlock API key was refused/);
    const unreachable = (await client.callTool({ name: 'get_action', arguments: { id: 'action-x' } })) as CallToolResult;
    expect(unreachable.isError).toBe(true);
    expect(text(unreachable)).toContain('Could not reach Airlock: fetch failed');
    await client.close();
  });

  it('refuses a wait over 300 seconds as a tool error naming the argument', async () => {
    const client = await connect(new FakeClient());
    const result = (await client.callTool({ name: 'get_action', arguments: { id: 'action-x', wait_seconds: 301 } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('wait_seconds');
    await client.close();
  });

  it.each([
    [view('denied', { review: null }), /was denied by policy \(policy rule review-exports\): Data leaves its home bucket\. Retrying/],
    [
      view('rejected', { votes: [{ reviewer: 'bob', verdict: 'reject', comment: 'no DPA', channel: 'api', at: '' }] }),
      /was rejected by bob: no DPA\. Do not retry it unchanged\./,
    ],
    [view('expired'), /expired: no decision before the review deadline/],
    [view('failed', { error: { type: 'AccessDenied', message: 'access denied' } }), /failed: access denied\./],
    [quorumOfTwo(), /waiting for 1 approval from bob or carol \(approved so far by alice\)\. This is normal/],
  ])('says where the action stands: %#', async (answer, expected) => {
    const fake = new FakeClient();
    fake.get = async () => answer;
    const client = await connect(fake);
    const result = (await client.callTool({ name: 'get_action', arguments: { id: answer.id } })) as CallToolResult;
    expect(text(result)).toMatch(expected);
    await client.close();
  });
});

describe('MCP server identity', () => {
  it('reports the release to clients', async () => {
    const client = await connect(new FakeClient());
    expect(client.getServerVersion()).toEqual({ name: 'airlock', version: RELEASE });
  });
});
