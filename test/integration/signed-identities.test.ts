import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { WorkflowBundle } from '@temporalio/worker';
import { IdentitySigner } from '../../api/identity-signer';
import { newIdentityKeyPair, parseSigningKey } from '../../config/identity-keys';
import { AuditEventKind } from '../../domain/audit-events';
import { cancelUpdate, decideUpdate, PRIVILEGED_ACTION_WORKFLOW } from '../../workflows/messages';
import { RefusalCode, type ActionRequestInput, type ActionState, type CancelInput, type DecideInput } from '../../domain/types';
import { acceptedUpdates, fetchHistory, scheduledActivities } from '../support/history';
import { TEST_SIGNING_KEY, TEST_TRUSTED_KEYS, testSigner } from '../support/identity-keys';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { objectExists, putObject, testS3 } from '../support/test-aws';

/**
 * Identity is never taken on trust from Temporal: a vote, a cancel or a start sent straight to the
 * Temporal frontend (as `temporal workflow update execute` or any client can) without a valid
 * signature from Airlock's API is refused, leaves nothing in history, and changes nothing. The
 * real dev server, the real worker and moto; the API's own signed calls keep working beside them.
 */
describe('signed identities against forged Temporal input', () => {
  let bundle: WorkflowBundle;
  let stack: Stack;
  const s3 = testS3();
  const signer = testSigner();
  /** A well-formed key the workers do not trust. */
  const stranger = new IdentitySigner(parseSigningKey(newIdentityKeyPair('stranger').signing, 'test'));

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    stack = await startStack(bundle);
  });
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  async function sourceObject(): Promise<string> {
    const key = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', key, 'id,value\n1,2\n');
    return key;
  }

  /** etl-bot's reviewed copy to the exports bucket, through the API, once it waits for review. */
  async function pendingCopy(): Promise<{ id: string; destinationKey: string }> {
    const destinationKey = `forged/${randomUUID()}.csv`;
    const created = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey: await sourceObject(), destinationBucket: 'airlock-exports', destinationKey },
      justification: 'Quarterly report',
    });
    expect(created.statusCode).toBe(202);
    expect(created.json().status).toBe('pending_review');
    return { id: created.json().id, destinationKey };
  }

  async function refusal(update: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await update.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return cause as ApplicationFailure;
  }

  const approve = (reviewer: string): DecideInput => ({ reviewer, verdict: 'approve', channel: 'api' });

  it('refuses a vote with no proof, a stranger key, another action, another Update id, a stale time or altered content, before history', async () => {
    const { id, destinationKey } = await pendingCopy();
    const other = await pendingCopy();
    const handle = stack.client.workflow.getHandle(id);
    const updateId = `forged:${randomUUID()}`;
    const vote = approve('alice');
    // The API's own key, with a clock twenty minutes slow: a proof kept back and sent later.
    const staleSigner = new IdentitySigner(TEST_SIGNING_KEY, () => new Date(Date.now() - 20 * 60_000));

    const forgeries: [string, DecideInput, string][] = [
      ['no proof (the temporal CLI, any reviewer name)', vote, updateId],
      ['a key the workers do not trust', { ...vote, proof: stranger.signDecision(id, updateId, vote) }, updateId],
      ['a proof made for another action', { ...vote, proof: signer.signDecision(other.id, updateId, vote) }, updateId],
      ['a proof made for another Update', { ...vote, proof: signer.signDecision(id, `other:${randomUUID()}`, vote) }, updateId],
      ['a stale proof', { ...vote, proof: staleSigner.signDecision(id, updateId, vote) }, updateId],
      ['a proof for bob carried by alice', { ...vote, proof: signer.signDecision(id, updateId, approve('bob')) }, updateId],
      [
        'a proof for a reject carried by an approve',
        { ...vote, proof: signer.signDecision(id, updateId, { ...vote, verdict: 'reject', comment: 'no' }) },
        updateId,
      ],
    ];
    for (const [label, decision, sentAs] of forgeries) {
      const failure = await refusal(handle.executeUpdate(decideUpdate, { args: [decision], updateId: sentAs }));
      expect({ label, type: failure.type }).toEqual({ label, type: RefusalCode.IdentityUnverified });
    }

    const history = await fetchHistory(stack.client, id);
    expect(acceptedUpdates(history, 'decide')).toEqual([]);
    const state = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();
    expect(state).toMatchObject({ status: 'pending_review', votes: [] });

    // The same Update signed by the API's key goes through: the refusals above are about the proof alone.
    const genuine = signer.signDecision(id, updateId, vote);
    const accepted: ActionState = await handle.executeUpdate(decideUpdate, { args: [{ ...vote, proof: genuine }], updateId });
    expect(accepted.votes).toEqual([expect.objectContaining({ reviewer: 'alice', verdict: 'approve' })]);
    expect(['approved', 'executing', 'succeeded']).toContain(accepted.status); // the answer waits for the audit write; execution may have begun
    await expect(handle.result()).resolves.toMatchObject({ status: 'succeeded' });
    await expect(objectExists(s3, 'airlock-exports', destinationKey)).resolves.toBe(true);
    // A proof made minutes ago, replayed under the same Update id, is answered with the first outcome, not counted again.
    expect(acceptedUpdates(await fetchHistory(stack.client, id), 'decide')).toHaveLength(1);
  });

  it('refuses a cancel with no proof or a proof for someone else; the action stays pending and a real vote still counts', async () => {
    const { id } = await pendingCopy();
    const handle = stack.client.workflow.getHandle(id);
    const updateId = `forged-cancel:${randomUUID()}`;
    const cancel: CancelInput = { by: 'etl-bot', reason: 'changed my mind' };
    expect((await refusal(handle.executeUpdate(cancelUpdate, { args: [cancel], updateId }))).type).toBe(RefusalCode.IdentityUnverified);
    const forOther: CancelInput = { ...cancel, proof: signer.signCancel(id, updateId, { by: 'root' }) };
    expect((await refusal(handle.executeUpdate(cancelUpdate, { args: [forOther], updateId }))).type).toBe(RefusalCode.IdentityUnverified);
    expect(acceptedUpdates(await fetchHistory(stack.client, id), 'cancel')).toEqual([]);

    const voted = await stack.call('bob', 'POST', `/v1/actions/${id}/decisions`, { decision: 'reject', comment: 'not this quarter' });
    expect(voted.statusCode).toBe(200);
    expect(voted.json()).toMatchObject({ status: 'rejected', cancellation: null });
  });

  it('runs nothing for a start the API did not sign: the workflow fails before any activity, and records no request', async () => {
    const workflowId = `action-s3.copyObject-${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const destinationKey = `forged-start/${randomUUID()}.csv`;
    const forged: ActionRequestInput = {
      actionId: workflowId,
      action: 's3.copyObject',
      // Auto-allowed by policy: without the check it would run with no API authentication at all.
      params: { sourceBucket: 'airlock-src', sourceKey: await sourceObject(), destinationBucket: 'airlock-scratch', destinationKey },
      justification: 'no one asked',
      requester: { id: 'etl-bot', source: 'api' },
      requestedAt: new Date().toISOString(),
    };
    const strangerSigned = { ...forged, actionId: `${workflowId.slice(0, -1)}x` };
    const starts: [string, ActionRequestInput][] = [
      ['unsigned', forged],
      ['signed by a stranger key', { ...strangerSigned, proof: stranger.signStart(strangerSigned) }],
      [
        'signed, then the params changed',
        { ...strangerSigned, proof: signer.signStart(strangerSigned), params: { ...forged.params, destinationKey: 'other.csv' } },
      ],
    ];
    for (const [label, input] of starts) {
      const handle = await stack.client.workflow.start(PRIVILEGED_ACTION_WORKFLOW, { taskQueue: stack.taskQueue, workflowId: input.actionId, args: [input] });
      const err = await handle.result().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect({ label, failed: err instanceof WorkflowFailedError }).toEqual({ label, failed: true });
      expect((err as WorkflowFailedError).cause).toMatchObject({ type: RefusalCode.IdentityUnverified });
      const history = await fetchHistory(stack.client, input.actionId);
      expect(scheduledActivities(history, { includeAudit: true })).toEqual([]);
      expect(await stack.audit.lineage(input.actionId)).toEqual([]);
    }
    await expect(objectExists(s3, 'airlock-scratch', destinationKey)).resolves.toBe(false);
  });

  it('writes a trail whose every request, vote and cancel verifies offline against the public key', async () => {
    const { id } = await pendingCopy();
    const cancelled = await stack.call('etl-bot', 'POST', `/v1/actions/${id}/cancel`, { reason: 'not needed after all' });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    await stack.client.workflow.getHandle(id).result();
    const report = await stack.audit.verify({ identityKeys: TEST_TRUSTED_KEYS });
    expect(report.signatures).toMatchObject({ ok: true, failed: 0, legacyUnsigned: 0 });
    const kinds = new Set((await stack.audit.lineage(id)).map((event) => event.kind));
    expect([...kinds]).toEqual(expect.arrayContaining([AuditEventKind.RequestReceived, AuditEventKind.ActionCancelled]));
    // Earlier tests recorded an approval, a rejection with a reason and an auto-allowed request: all signed.
    expect(report.signatures?.verified).toBeGreaterThanOrEqual(6);
    expect(report.ok).toBe(true);
  });

  it('refuses a signed start replayed under another workflow id, or as a second run of the same action', async () => {
    const destinationKey = `replayed/${randomUUID()}.csv`;
    const created = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey: await sourceObject(), destinationBucket: 'airlock-scratch', destinationKey },
      justification: 'scratch copy',
    });
    expect(created.statusCode).toBe(202);
    const id: string = created.json().id;
    const first = stack.client.workflow.getHandle(id);
    await expect(first.result()).resolves.toMatchObject({ status: 'succeeded' });
    // What anyone reading the history sees: the start input with the API's proof in it.
    const started = (await fetchHistory(stack.client, id)).events?.[0]?.workflowExecutionStartedEventAttributes;
    const captured = defaultPayloadConverter.fromPayload<ActionRequestInput>(started?.input?.payloads?.[0] as Payload);
    expect(captured.proof?.keyId).toBe('test-key');

    const elsewhere = await stack.client.workflow.start(PRIVILEGED_ACTION_WORKFLOW, {
      taskQueue: stack.taskQueue,
      workflowId: `action-s3.copyObject-${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      args: [captured],
    });
    await expect(elsewhere.result()).rejects.toMatchObject({ cause: { type: RefusalCode.IdentityUnverified } });

    const again = await stack.client.workflow.start(PRIVILEGED_ACTION_WORKFLOW, {
      taskQueue: stack.taskQueue,
      workflowId: id,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      args: [captured],
    });
    await expect(again.result()).rejects.toMatchObject({ cause: { type: RefusalCode.IdentityUnverified } });
    expect(scheduledActivities(await again.fetchHistory(), { includeAudit: true })).toEqual([]);
    const requests = (await stack.audit.lineage(id)).filter((event) => event.kind === AuditEventKind.RequestReceived);
    expect(requests).toHaveLength(1);
    const credentials = (await stack.audit.lineage(id)).filter((event) => event.kind === AuditEventKind.CredentialIssued && event.data.purpose === 'execute');
    expect(credentials).toHaveLength(1);
  });
});
