import { randomUUID } from 'node:crypto';
import type { WorkflowBundle } from '@temporalio/worker';
import { acceptedUpdates, fetchHistory, readableHistory, workflowSteps } from '../support/history';
import {
  ActionAttribute,
  ApproversAttribute,
  DecisionTimeAttribute,
  RequesterAttribute,
  RiskAttribute,
  StatusAttribute,
} from '../../workflows/search-attributes';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { objectExists, putObject, readObject, testS3 } from '../support/test-aws';

/** A request reviewed and closed without execution: admitted (decided on params), previewed for reviewers only, both local activities. */
const REVIEWED_NOT_EXECUTED = ['admitAction'];

/**
 * The whole path over HTTP, against the real Temporal dev server and moto:
 * request → policy → review through the API → one-shot STS credentials → the copy in S3.
 */
describe('privileged action over the HTTP API', () => {
  let bundle: WorkflowBundle;
  let stack: Stack;
  const s3 = testS3();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    stack = await startStack(bundle);
  });
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  /** A fresh source object and a request body copying it to `destinationBucket/destinationKey`. */
  async function exportRequest(destinationBucket: string, keyPrefix = 'reports') {
    const sourceKey = `src/${randomUUID()}.csv`;
    const body = `id,value\n1,${randomUUID()}\n`;
    await putObject(s3, 'airlock-src', sourceKey, body);
    const destinationKey = `${keyPrefix}/${randomUUID()}.csv`;
    return {
      body,
      destinationKey,
      request: {
        action: 's3.copyObject',
        params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket, destinationKey },
        justification: 'Quarterly report for the finance team',
      },
    };
  }

  async function submit(as: string, request: object, headers?: Record<string, string>) {
    const response = await stack.call(as, 'POST', '/v1/actions', request, headers);
    expect(response.statusCode).toBe(202);
    return response.json();
  }

  async function decide(as: string, id: string, decision: 'approve' | 'reject', comment?: string) {
    return stack.call(as, 'POST', `/v1/actions/${id}/decisions`, { decision, ...(comment ? { comment } : {}) });
  }

  /** Polls GET until the action reaches `status` (execution runs asynchronously after the last vote). */
  async function waitForStatus(id: string, status: string, as = 'bob') {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await stack.call(as, 'GET', `/v1/actions/${id}`);
      const view = response.json();
      if (view.status === status) return view;
      if (Date.now() > deadline) throw new Error(`action ${id} is ${view.status}, expected ${status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('copies the object after a quorum of two approvals and reports who approved', async () => {
    const { request, body, destinationKey } = await exportRequest('airlock-exports', 'quorum-2');
    const created = await submit('etl-bot', request);
    expect(created).toMatchObject({
      status: 'pending_review',
      action: 's3.copyObject',
      requester: { id: 'etl-bot', source: 'api' },
      policy: { effect: 'review', ruleId: 'review-two-owners', risk: 'high' },
      review: { quorum: 2, eligibleApprovers: ['alice', 'bob', 'carol'], approvals: [] },
    });
    expect(created.policy.policyHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(created.links.temporalUi).toContain(created.id);

    const first = await decide('alice', created.id, 'approve');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'pending_review', review: { approvals: ['alice'] } });
    expect(await objectExists(s3, 'airlock-exports', destinationKey)).toBe(false);

    const second = await decide('carol', created.id, 'approve');
    expect(second.statusCode).toBe(200);
    expect(['approved', 'executing', 'succeeded']).toContain(second.json().status);

    const done = await waitForStatus(created.id, 'succeeded');
    expect(done.review.approvals).toEqual(['alice', 'carol']);
    expect(done.votes.map((vote: { reviewer: string; channel: string }) => [vote.reviewer, vote.channel])).toEqual([
      ['alice', 'api'],
      ['carol', 'api'],
    ]);
    expect(done.result.outputs.destination).toBe(`s3://airlock-exports/${destinationKey}`);
    expect(done.result.session.sourceIdentity).toBe('etl-bot');
    expect(done.result.session.roleSessionName).toContain(created.id.slice(-16));
    expect(await readObject(s3, 'airlock-exports', destinationKey)).toBe(body);
  });

  it('keeps credentials out of history, results and responses', async () => {
    const { request } = await exportRequest('airlock-scratch');
    const created = await submit('etl-bot', request);
    const done = await waitForStatus(created.id, 'succeeded', 'etl-bot');
    const history = await readableHistory(created.id);
    const secrets = stack.issuedSecrets();
    expect(secrets.length).toBeGreaterThanOrEqual(2); // at least this action's secret key and session token
    for (const secret of secrets) {
      expect(history).not.toContain(secret);
      expect(JSON.stringify(done)).not.toContain(secret);
    }
    expect(history).not.toMatch(/secretAccessKey|sessionToken/i);
  });

  it('refuses self-approval with 409 and writes nothing to history', async () => {
    const { request, destinationKey } = await exportRequest('airlock-exports');
    const created = await submit('alice', request);
    expect(created.review.eligibleApprovers).toEqual(['bob', 'carol']);
    const refused = await decide('alice', created.id, 'approve');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('self_approval');
    const history = await fetchHistory(stack.client, created.id);
    expect(acceptedUpdates(history, 'decide')).toEqual([]);
    expect((await stack.call('bob', 'GET', `/v1/actions/${created.id}`)).json().status).toBe('pending_review');
    expect(await objectExists(s3, 'airlock-exports', destinationKey)).toBe(false);
  });

  it('refuses a reviewer outside the approver groups with 403, and an agent with 403 forbidden', async () => {
    const { request } = await exportRequest('airlock-exports');
    const created = await submit('etl-bot', request);
    const refused = await decide('mallory', created.id, 'approve');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('not_an_approver');
    const agent = await decide('other-bot', created.id, 'approve');
    expect(agent.statusCode).toBe(403);
    expect(agent.json().error.code).toBe('forbidden');
    expect(acceptedUpdates(await fetchHistory(stack.client, created.id), 'decide')).toEqual([]);
    expect(await readableHistory(created.id)).not.toContain('mallory');
  });

  it('counts a double vote once and refuses the second with 409', async () => {
    const { request } = await exportRequest('airlock-exports', 'quorum-2');
    const created = await submit('etl-bot', request);
    expect((await decide('bob', created.id, 'approve')).statusCode).toBe(200);
    const again = await decide('bob', created.id, 'approve');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('already_voted');
    const history = await fetchHistory(stack.client, created.id);
    expect(acceptedUpdates(history, 'decide')).toEqual([expect.objectContaining({ reviewer: 'bob', verdict: 'approve' })]);
    expect((await stack.call('bob', 'GET', `/v1/actions/${created.id}`)).json()).toMatchObject({
      status: 'pending_review',
      review: { approvals: ['bob'] },
    });
  });

  it('ends on one rejection, copies nothing, and refuses a vote after close', async () => {
    const { request, destinationKey } = await exportRequest('airlock-exports', 'quorum-2');
    const created = await submit('etl-bot', request);
    const noReason = await decide('bob', created.id, 'reject');
    expect(noReason.statusCode).toBe(400);
    const rejected = await decide('bob', created.id, 'reject', 'Not without a DPA in place');
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'rejected', votes: [{ reviewer: 'bob', verdict: 'reject', comment: 'Not without a DPA in place' }] });

    const late = await decide('carol', created.id, 'approve');
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('action_closed');
    const history = await fetchHistory(stack.client, created.id);
    expect(acceptedUpdates(history, 'decide')).toHaveLength(1);
    expect(workflowSteps(history)).toEqual(REVIEWED_NOT_EXECUTED);
    expect(await objectExists(s3, 'airlock-exports', destinationKey)).toBe(false);
  });

  it('shows operators in the Temporal UI who asks what and why, and when it was decided', async () => {
    const { request } = await exportRequest('airlock-exports', 'quorum-2');
    const created = await submit('etl-bot', request);
    expect(created.id).toMatch(/^action-s3\.copyObject-[a-z2-9]{16}$/);
    const handle = stack.client.workflow.getHandle(created.id);
    const pending = await handle.describe();
    expect(await pending.staticSummary()).toBe(`etl-bot asks: ${created.summary}`);
    const details = await pending.staticDetails();
    expect(details).toContain(request.params.sourceKey);
    expect(details).toContain(request.justification);
    const attributes = pending.typedSearchAttributes;
    expect(attributes.get(StatusAttribute)).toBe('pending_review');
    expect(attributes.get(ActionAttribute)).toBe('s3.copyObject');
    expect(attributes.get(RequesterAttribute)).toBe('etl-bot');
    expect(attributes.get(RiskAttribute)).toBe('high');
    expect(attributes.get(DecisionTimeAttribute)).toBeUndefined();

    await decide('alice', created.id, 'approve');
    const rejected = (await decide('bob', created.id, 'reject', 'Wrong quarter')).json();
    const decided = (await handle.describe()).typedSearchAttributes;
    expect(decided.get(StatusAttribute)).toBe('rejected');
    expect(decided.get(ApproversAttribute)).toEqual(['alice']);
    expect(decided.get(DecisionTimeAttribute)?.toISOString()).toBe(new Date(rejected.votes[1].at).toISOString());
  });

  it('expires when nobody decides before the deadline', async () => {
    const { request, destinationKey } = await exportRequest('airlock-exports', 'expire-fast');
    const created = await submit('etl-bot', request);
    expect(created.status).toBe('pending_review');
    expect(Date.parse(created.review.deadline) - Date.parse(created.requestedAt)).toBeLessThan(10_000);
    const expired = await waitForStatus(created.id, 'expired');
    expect(expired.closedAt).not.toBeNull();
    const late = await decide('bob', created.id, 'approve');
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('action_closed');
    expect(workflowSteps(await fetchHistory(stack.client, created.id))).toEqual(REVIEWED_NOT_EXECUTED);
    expect(await objectExists(s3, 'airlock-exports', destinationKey)).toBe(false);
  });

  it('lets the requester cancel a pending action, and no one else', async () => {
    const { request, destinationKey } = await exportRequest('airlock-exports');
    const created = await submit('etl-bot', request);
    const stranger = await stack.call('other-bot', 'POST', `/v1/actions/${created.id}/cancel`, {});
    expect(stranger.statusCode).toBe(404); // other agents cannot even see it
    const reviewer = await stack.call('bob', 'POST', `/v1/actions/${created.id}/cancel`, {});
    expect(reviewer.statusCode).toBe(403);
    const cancelled = await stack.call('etl-bot', 'POST', `/v1/actions/${created.id}/cancel`, { reason: 'no longer needed' });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancellation: { by: 'etl-bot', reason: 'no longer needed' } });
    const again = await stack.call('etl-bot', 'POST', `/v1/actions/${created.id}/cancel`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('not_cancellable');
    expect((await decide('bob', created.id, 'approve')).json().error.code).toBe('action_closed');
    expect(workflowSteps(await fetchHistory(stack.client, created.id))).toEqual(REVIEWED_NOT_EXECUTED);
    expect(await objectExists(s3, 'airlock-exports', destinationKey)).toBe(false);
  });

  it('answers a cancel retried with the same Idempotency-Key with the first result, and counts it once', async () => {
    const { request } = await exportRequest('airlock-exports');
    const created = await submit('etl-bot', request);
    const cancelOnce = () => stack.call('etl-bot', 'POST', `/v1/actions/${created.id}/cancel`, { reason: 'retried' }, { 'idempotency-key': 'cancel-retry-1' });
    const first = await cancelOnce();
    const retried = await cancelOnce();
    expect([first.statusCode, retried.statusCode]).toEqual([200, 200]);
    expect(retried.json().cancellation).toEqual(first.json().cancellation);
    const history = await fetchHistory(stack.client, created.id);
    expect(acceptedUpdates(history, 'cancel')).toHaveLength(1);
    // Another key is another request: refused, as the action is closed.
    const other = await stack.call('etl-bot', 'POST', `/v1/actions/${created.id}/cancel`, {}, { 'idempotency-key': 'cancel-retry-2' });
    expect(other.json().error.code).toBe('not_cancellable');
  });

  it('refuses an Idempotency-Key reused for another decision or another cancel reason with 409; the first stands', async () => {
    const { request } = await exportRequest('airlock-exports', 'quorum-2');
    const created = await submit('etl-bot', request);
    const vote = (decision: 'approve' | 'reject', comment?: string) =>
      stack.call('bob', 'POST', `/v1/actions/${created.id}/decisions`, { decision, ...(comment ? { comment } : {}) }, { 'idempotency-key': 'vote-key-1' });
    expect((await vote('approve', 'fine')).statusCode).toBe(200);
    expect((await vote('approve', 'fine')).statusCode).toBe(200); // a true retry: the first result
    const changed = await vote('reject', 'on second thought');
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error.code).toBe('idempotency_key_reused');
    const otherComment = await vote('approve', 'fine, really');
    expect(otherComment.json().error.code).toBe('idempotency_key_reused');
    const state = (await stack.call('bob', 'GET', `/v1/actions/${created.id}`)).json();
    expect(state).toMatchObject({ status: 'pending_review', votes: [{ reviewer: 'bob', verdict: 'approve', comment: 'fine' }] });

    const cancel = (reason: string) => stack.call('etl-bot', 'POST', `/v1/actions/${created.id}/cancel`, { reason }, { 'idempotency-key': 'cancel-key-1' });
    expect((await cancel('not needed')).statusCode).toBe(200);
    const reworded = await cancel('something else');
    expect(reworded.statusCode).toBe(409);
    expect(reworded.json().error.code).toBe('idempotency_key_reused');
    expect(acceptedUpdates(await fetchHistory(stack.client, created.id), 'decide')).toHaveLength(1);
  });

  it('denies by policy at once and runs nothing', async () => {
    const { request, destinationKey } = await exportRequest('airlock-elsewhere');
    const created = await submit('etl-bot', request);
    expect(created).toMatchObject({
      status: 'denied',
      policy: { effect: 'deny', ruleId: 'deny-unlisted-destinations', reason: 'Exports only go to approved buckets' },
      review: null,
    });
    expect(created.closedAt).not.toBeNull();
    expect(created.preview).toBeNull(); // denied on params: never previewed
    expect(workflowSteps(await fetchHistory(stack.client, created.id))).toEqual(['admitAction']);
    expect(await objectExists(s3, 'airlock-elsewhere', destinationKey)).toBe(false);
  });

  it('auto-allows by policy and executes without review', async () => {
    const { request, body, destinationKey } = await exportRequest('airlock-scratch');
    const created = await submit('etl-bot', request);
    expect(created.policy).toMatchObject({ effect: 'allow', ruleId: 'auto-allow-scratch' });
    const done = await waitForStatus(created.id, 'succeeded', 'etl-bot');
    expect(done.votes).toEqual([]);
    expect(workflowSteps(await fetchHistory(stack.client, created.id))).toEqual(['admitAction', 'executeOperation']);
    expect(await readObject(s3, 'airlock-scratch', destinationKey)).toBe(body);
  });

  it('previews the impact before review, and a rule on preview facts changes the decision', async () => {
    const small = await exportRequest('airlock-scratch');
    const large = await exportRequest('airlock-scratch');
    await putObject(s3, 'airlock-src', large.request.params.sourceKey, 'x'.repeat(5000));

    const allowed = await submit('etl-bot', small.request);
    expect(allowed.policy.ruleId).toBe('auto-allow-scratch');
    expect(allowed.preview.facts).toMatchObject({ sourceExists: true, sourceBytes: small.body.length, destinationExists: false });

    const reviewed = await submit('etl-bot', large.request);
    expect(reviewed).toMatchObject({ status: 'pending_review', policy: { effect: 'review', ruleId: 'review-large-scratch' } });
    expect(reviewed.preview.facts).toMatchObject({ sourceBytes: 5000 });
    expect(reviewed.preview.notes.join(' ')).toMatch(/airlock-scratch/);
    expect(await objectExists(s3, 'airlock-scratch', large.destinationKey)).toBe(false);
  });

  it('starts one workflow for the same Idempotency-Key, and refuses the key for a different request', async () => {
    const { request } = await exportRequest('airlock-exports');
    const key = `idem-${randomUUID()}`;
    const first = await stack.call('etl-bot', 'POST', '/v1/actions', request, { 'idempotency-key': key });
    const second = await stack.call('etl-bot', 'POST', '/v1/actions', request, { 'idempotency-key': key });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json().id).toBe(first.json().id);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().requestedAt).toBe(first.json().requestedAt);

    const runs = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${first.json().id}'` })) runs.push(run);
    expect(runs).toHaveLength(1);

    const different = await stack.call(
      'etl-bot',
      'POST',
      '/v1/actions',
      { ...request, justification: 'A different reason entirely' },
      { 'idempotency-key': key },
    );
    expect(different.statusCode).toBe(409);
    expect(different.json().error.code).toBe('idempotency_key_reused');

    // The same key from another agent is another request.
    const otherAgent = await stack.call('other-bot', 'POST', '/v1/actions', request, { 'idempotency-key': key });
    expect(otherAgent.statusCode).toBe(202);
    expect(otherAgent.json().id).not.toBe(first.json().id);
  });

  it('returns the closed action again for a reused key after it has finished', async () => {
    const { request } = await exportRequest('airlock-elsewhere'); // denied: closes immediately
    const key = `idem-${randomUUID()}`;
    const first = await stack.call('etl-bot', 'POST', '/v1/actions', request, { 'idempotency-key': key });
    expect(first.json().status).toBe('denied');
    const second = await stack.call('etl-bot', 'POST', '/v1/actions', request, { 'idempotency-key': key });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toMatchObject({ id: first.json().id, status: 'denied' });
  });

  it('lists pending actions through visibility, scoped to what the caller may see', async () => {
    const { request } = await exportRequest('airlock-exports');
    const created = await submit('etl-bot', request);
    const deadline = Date.now() + 20_000;
    let ids: string[] = [];
    while (Date.now() < deadline) {
      const response = await stack.call('bob', 'GET', '/v1/actions?status=pending_review&action=s3.copyObject');
      expect(response.statusCode).toBe(200);
      ids = response.json().items.map((item: { id: string }) => item.id);
      if (ids.includes(created.id)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ids).toContain(created.id);
    const asOtherAgent = await stack.call('other-bot', 'GET', '/v1/actions?status=pending_review');
    expect(asOtherAgent.json().items.map((item: { id: string }) => item.id)).not.toContain(created.id);
    const badStatus = await stack.call('bob', 'GET', '/v1/actions?status=bogus');
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().error.code).toBe('invalid_request');
  });
});
