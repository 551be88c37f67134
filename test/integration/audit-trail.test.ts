import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowBundle } from '@temporalio/worker';
import type { AuditStore } from '../../audit/store';
import { fetchHistory, localActivityAttempts } from '../support/history';
import { freshStore, STORE_KINDS, type StoreUnderTest } from '../support/audit-stores';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { putObject, testS3 } from '../support/test-aws';

/** The kinds of the story of an action reviewed by two owners and executed, with refused votes between. */
const REVIEWED_AND_EXECUTED = [
  'request.received',
  'credential.issued', // the preview's read-only session
  'preview.completed',
  'policy.decided',
  'vote.refused', // the requester
  'vote.refused', // a reviewer outside the approver groups
  'vote.recorded', // bob
  'vote.refused', // bob again
  'vote.recorded', // carol
  'action.approved',
  'execution.started',
  'credential.issued', // the execution's session
  'operation.succeeded',
];

/** An auto-allowed copy from the request to its execution's credential; what follows is the outcome. */
const AUTO_ALLOWED_UNTIL_OUTCOME = [
  'request.received',
  'credential.issued', // the preview's read-only session
  'preview.completed',
  'policy.decided',
  'action.approved',
  'execution.started',
  'credential.issued', // the execution's session
];

/**
 * The audit trail end to end, on each store: the API and worker of a real stack (Temporal dev
 * server, moto) write it, and an auditor reads it back over HTTP.
 */
describe.each(STORE_KINDS)('audit trail (%s store)', (kind) => {
  let bundle: WorkflowBundle;
  let store: StoreUnderTest;
  let stack: Stack;
  const s3 = testS3();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    store = await freshStore(kind);
    stack = await startStack(bundle, { auditUrl: store.url });
  });
  afterAll(async () => {
    await stack?.stop();
    await store?.cleanup();
    s3.destroy();
  });

  async function copyRequest(destinationBucket: string, keyPrefix = 'reports') {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, `id\n${randomUUID()}\n`);
    return {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket, destinationKey: `${keyPrefix}/${randomUUID()}.csv` },
      justification: 'Quarterly report for the finance team',
    };
  }

  async function submit(as: string, request: object): Promise<string> {
    const response = await stack.call(as, 'POST', '/v1/actions', request, { 'user-agent': 'audit-test-agent/1.0' });
    expect(response.statusCode).toBe(202);
    return response.json().id;
  }

  async function vote(as: string, id: string, decision: 'approve' | 'reject', comment?: string): Promise<number> {
    return (await stack.call(as, 'POST', `/v1/actions/${id}/decisions`, { decision, ...(comment ? { comment } : {}) })).statusCode;
  }

  /** The lineage once the workflow has ended (it stores its last events before it completes). */
  async function finalLineage(id: string) {
    await stack.client.workflow.getHandle(id).result();
    const response = await stack.call('audrey', 'GET', `/v1/actions/${id}/lineage`);
    expect(response.statusCode).toBe(200);
    return response.json().events as { kind: string; actor: string; data: Record<string, unknown>; eventId: string; seq: number }[];
  }

  async function exportLines(query = ''): Promise<{ lines: Record<string, unknown>[]; response: Awaited<ReturnType<Stack['call']>> }> {
    const response = await stack.call('audrey', 'GET', `/v1/audit${query}`);
    const lines = response.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { lines, response };
  }

  let reviewedId: string;

  test('a reviewed and executed action yields exactly the expected events, in order', async () => {
    const request = await copyRequest('airlock-exports', 'quorum-2');
    reviewedId = await submit('alice', request);
    expect(await vote('alice', reviewedId, 'approve')).toBe(409); // self-approval
    expect(await vote('mallory', reviewedId, 'approve')).toBe(403); // not an approver
    expect(await vote('bob', reviewedId, 'approve', 'fine by me')).toBe(200);
    expect(await vote('bob', reviewedId, 'approve')).toBe(409); // already voted
    expect(await vote('carol', reviewedId, 'approve')).toBe(200);

    const events = await finalLineage(reviewedId);
    expect(events.map((event) => event.kind)).toEqual(REVIEWED_AND_EXECUTED);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
    expect(events.map((event) => event.seq)).toEqual([...events.map((event) => event.seq)].sort((a, b) => a - b));

    const [received, previewCredential, , decided, selfVote, outsider, bobVote, bobAgain, carolVote, approved, , executeCredential, succeeded] = events;
    expect(received).toMatchObject({
      actor: 'alice',
      data: {
        action: 's3.copyObject',
        params: request.params,
        justification: request.justification,
        source: 'api',
        origin: { ip: '127.0.0.1', userAgent: 'audit-test-agent/1.0' },
      },
    });
    expect(decided).toMatchObject({
      actor: 'policy',
      data: {
        effect: 'review',
        ruleId: 'review-two-owners',
        risk: 'high',
        policyHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        review: { quorum: 2, eligibleApprovers: ['bob', 'carol'] },
      },
    });
    expect(selfVote).toMatchObject({ actor: 'alice', data: { verdict: 'approve', channel: 'api', code: 'self_approval' } });
    expect(outsider).toMatchObject({ actor: 'mallory', data: { code: 'not_an_approver' } });
    expect(bobVote).toMatchObject({ actor: 'bob', data: { verdict: 'approve', channel: 'api', comment: 'fine by me', approvals: 1, quorum: 2 } });
    expect(bobAgain).toMatchObject({ actor: 'bob', data: { code: 'already_voted' } });
    expect(carolVote).toMatchObject({ actor: 'carol', data: { approvals: 2 } });
    expect(approved).toMatchObject({ data: { by: 'quorum', approvers: ['bob', 'carol'] } });

    const issuedKeyIds = stack.proxy.issuedAccessKeyIds();
    expect(previewCredential?.data).toMatchObject({ purpose: 'preview', roleSessionName: `${reviewedId}.preview`, sourceIdentity: 'alice' });
    expect(executeCredential?.data).toMatchObject({ purpose: 'execute', roleSessionName: reviewedId, sourceIdentity: 'alice' });
    expect(issuedKeyIds).toEqual(expect.arrayContaining([previewCredential?.data.accessKeyId, executeCredential?.data.accessKeyId]));
    expect(succeeded?.data).toMatchObject({ outputs: { destination: `s3://airlock-exports/${request.params.destinationKey}` } });
  });

  test('denied, rejected, cancelled and expired actions each end their story with that outcome', async () => {
    const denied = await submit('etl-bot', await copyRequest('somewhere-else'));
    const rejected = await submit('etl-bot', await copyRequest('airlock-exports'));
    const cancelled = await submit('etl-bot', await copyRequest('airlock-exports'));
    const expired = await submit('etl-bot', await copyRequest('airlock-exports', 'expire-fast'));
    expect(await vote('bob', rejected, 'reject', 'not this quarter')).toBe(200);
    expect((await stack.call('etl-bot', 'POST', `/v1/actions/${cancelled}/cancel`, { reason: 'no longer needed' })).statusCode).toBe(200);

    const reviewed = ['request.received', 'credential.issued', 'preview.completed', 'policy.decided'];
    expect((await finalLineage(denied)).map((event) => event.kind)).toEqual(['request.received', 'policy.decided', 'action.denied']);
    expect((await finalLineage(rejected)).map((event) => [event.kind, event.actor])).toEqual([
      ...reviewed.map((kind) => [kind, expect.any(String)]),
      ['vote.recorded', 'bob'],
      ['action.rejected', 'bob'],
    ]);
    const cancelEvents = await finalLineage(cancelled);
    expect(cancelEvents.map((event) => event.kind)).toEqual([...reviewed, 'action.cancelled']);
    expect(cancelEvents.at(-1)).toMatchObject({ actor: 'etl-bot', data: { from: 'pending_review', reason: 'no longer needed' } });
    expect((await finalLineage(expired)).map((event) => event.kind)).toEqual([...reviewed, 'action.expired']);
  });

  test('a failed operation and the requester callback are on record', async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolveListen) => receiver.listen(0, '127.0.0.1', resolveListen));
    try {
      const port = (receiver.address() as AddressInfo).port;
      stack.allowCallbacksTo(`http://127.0.0.1:${port}`);
      const missingSource = {
        action: 's3.copyObject',
        params: {
          sourceBucket: 'airlock-src',
          sourceKey: `src/missing-${randomUUID()}.csv`,
          destinationBucket: 'airlock-scratch',
          destinationKey: `failed/${randomUUID()}.csv`,
        },
        justification: 'Scratch copy of an object that is not there',
        callbackUrl: `http://127.0.0.1:${port}/airlock`,
      };
      const id = await submit('etl-bot', missingSource);
      const events = await finalLineage(id);
      expect(events.map((event) => event.kind)).toEqual([...AUTO_ALLOWED_UNTIL_OUTCOME, 'operation.failed', 'notification.sent']);
      expect(events[7]?.data).toMatchObject({ error: { type: expect.stringMatching(/NoSuchKey|NotFound/) } });
      expect(events[8]?.data).toEqual({ target: 'callback' });
      expect(received).toHaveLength(1);
    } finally {
      await new Promise((resolveClose) => receiver.close(resolveClose));
    }
  });

  test('the export streams JSON lines, filtered by action, actor and time, with no secret in them', async () => {
    const all = await exportLines();
    expect(all.response.statusCode).toBe(200);
    expect(all.response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(all.lines.map((line) => line.seq)).toEqual(all.lines.map((_, index) => index + 1));
    for (const secret of stack.issuedSecrets()) expect(all.response.text).not.toContain(secret);
    expect(all.response.text).not.toMatch(/secretAccessKey|sessionToken/i);

    const oneAction = await exportLines(`?action=${reviewedId}`);
    expect(oneAction.lines.map((line) => line.kind)).toEqual(REVIEWED_AND_EXECUTED);
    const bob = await exportLines('?actor=bob');
    expect(bob.lines.length).toBeGreaterThanOrEqual(4);
    expect(bob.lines.every((line) => line.actor === 'bob')).toBe(true);

    const middle = all.lines[Math.floor(all.lines.length / 2)]?.occurredAt as string;
    const later = await exportLines(`?from=${encodeURIComponent(middle)}`);
    expect(later.lines.length).toBeGreaterThan(0);
    expect(later.lines.every((line) => (line.occurredAt as string) >= middle)).toBe(true);
    const window = await exportLines(`?from=${encodeURIComponent(middle)}&to=${encodeURIComponent(middle)}`);
    expect(window.lines).toEqual([]);
  });

  test('verify walks the whole chain', async () => {
    const response = await stack.call('audrey', 'GET', '/v1/audit/verify');
    expect(response.statusCode).toBe(200);
    const count = (await exportLines()).lines.length;
    expect(response.json()).toMatchObject({ store: kind === 'embedded' ? 'sqlite' : 'postgres', ok: true, checked: count, head: { seq: count } });
  });

  test('only auditors may read the trail; bad queries get a 400 naming the field', async () => {
    for (const url of [`/v1/actions/${reviewedId}/lineage`, '/v1/audit', '/v1/audit/verify']) {
      expect((await stack.call(null, 'GET', url)).statusCode).toBe(401);
      for (const who of ['etl-bot', 'bob', 'root']) {
        const refused = await stack.call(who, 'GET', url);
        expect(refused.statusCode).toBe(403);
        expect(refused.json().error.code).toBe('forbidden');
      }
    }
    const unknown = await stack.call('audrey', 'GET', '/v1/actions/action-s3.copyObject-0000000000000000/lineage');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('action_not_found');

    const bad = await stack.call('audrey', 'GET', '/v1/audit?from=yesterday&actor=');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.issues.map((issue: { path: string }) => issue.path)
        .sort(),
    ).toEqual(['query.actor', 'query.from']);
    const reversed = await stack.call('audrey', 'GET', '/v1/audit?from=2026-11-22T10:00:00Z&to=2026-11-21T10:00:00Z');
    expect(reversed.statusCode).toBe(400);
    expect((await stack.call('audrey', 'GET', '/v1/audit?verbose=1')).statusCode).toBe(400);
  });
});

/**
 * A store that commits and then fails the call, once per batch: the worst case for idempotency,
 * a write that landed but whose answer was lost. Credentials are left alone (each attempt issues a new one).
 */
function losingFirstReply(store: AuditStore, lost: string[]): AuditStore {
  return {
    kind: store.kind,
    page: (filter, afterSeq, limit) => store.page(filter, afterSeq, limit),
    close: () => store.close(),
    async append(events, seal) {
      const added = await store.append(events, seal);
      const first = events[0]?.eventId;
      if (first && !first.includes('/credential/') && !lost.includes(first)) {
        lost.push(first);
        throw new Error('connection reset after commit');
      }
      return added;
    },
  };
}

describe('audit writes retried by Temporal', () => {
  let stack: Stack;
  const lost: string[] = [];
  const s3 = testS3();

  beforeAll(async () => {
    stack = await startStack(await bundleWorkflows(), { wrapWorkerAuditStore: (store) => losingFirstReply(store, lost) });
  });
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  test('a retried audit activity adds no duplicate event', async () => {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, 'id\n1\n');
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-scratch', destinationKey: `retry/${randomUUID()}.csv` },
      justification: 'Scratch copy for the retry test',
    });
    const id = response.json().id as string;
    await stack.client.workflow.getHandle(id).result();

    const history = await fetchHistory(stack.client, id);
    // Audit writes are local activities (and admission's includes one): their retries show as the attempt that completed them.
    const retriedAttempts = [
      ...(history.events ?? []).map((event) => event.activityTaskStartedEventAttributes?.attempt ?? 0).filter((attempt) => attempt > 1),
      ...localActivityAttempts(history)
        .filter((step) => step.attempt > 1)
        .flatMap((step) => Array.from({ length: step.attempt - 1 }, () => step.name)),
    ];
    const events = (await stack.call('audrey', 'GET', `/v1/actions/${id}/lineage`)).json().events as { kind: string; eventId: string }[];
    expect(events.map((event) => event.kind)).toEqual([...AUTO_ALLOWED_UNTIL_OUTCOME, 'operation.succeeded']);
    // The execution stores its result and admission its outcome itself; when such a reply is lost,
    // the workflow's own write of the same events (skipped as stored) covers it, with no retry.
    const coveredByWorkflow = ['operation.succeeded', 'preview.completed'].map((kind) => events.find((event) => event.kind === kind)?.eventId);
    expect(lost.length).toBeGreaterThanOrEqual(3);
    expect(retriedAttempts.length).toBeGreaterThanOrEqual(lost.filter((eventId) => !coveredByWorkflow.includes(eventId)).length); // every other lost reply was retried
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
    expect((await stack.call('audrey', 'GET', '/v1/audit/verify')).json()).toMatchObject({ ok: true, checked: events.length });
  });
});
