import { Client, Connection, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { AuditEventKind } from '../../domain/audit-events';
import type { AuditRecord } from '../../audit/audit-log';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { quietRuntime } from '../../scripts/lib/quiet-temporal';
import { benchSigner, BENCH_TRUSTED_KEYS } from '../../bench/lib/bench-identity';
import type { FloorWorker } from '../../bench/lib/floor-worker';
import { executeTrustFloor, releaseTrustFloor, startTrustFloorWorker, startTrustRelease } from '../../bench/workflow/trust-floor';
import { trustActivityWorkflow, trustVoteUpdate } from '../../bench/workflow/trust-floor-workflows';
import { memoryAuditLog } from '../support/audit';
import { requiredEnv } from '../support/test-aws';

/**
 * The benchmark's trust floors claim to do the work Airlock's guarantees require, and nothing else.
 * If one skipped a step it would look cheaper than it is: these runs, against the real dev server
 * and moto, hold each to its record of steps and to its refusals.
 */
const audit = memoryAuditLog();
const signer = benchSigner();
let worker: FloorWorker;
let connection: Connection;
let client: Client;
const TASK_QUEUE = `trust-floor-${randomUUID()}`;

beforeAll(async () => {
  quietRuntime();
  const aws = {
    region: 'us-east-1',
    partition: 'aws',
    endpoint: requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT'),
    executorRoleArn: requiredEnv('AIRLOCK_TEST_ROLE_ARN'),
    baseCredentials: MOTO_BASE_CREDENTIALS,
  };
  worker = await startTrustFloorWorker(requiredEnv('AIRLOCK_TEST_TEMPORAL_ADDRESS'), TASK_QUEUE, { aws, audit, keys: BENCH_TRUSTED_KEYS });
  connection = await Connection.connect({ address: requiredEnv('AIRLOCK_TEST_TEMPORAL_ADDRESS') });
  client = new Client({ connection });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
});

function trail(actionId: string): Promise<AuditRecord[]> {
  return audit.lineage(actionId);
}

describe('the approval trust floor', () => {
  it('records the vote, the approval and the start before the credential, then the credential and the result', async () => {
    const handle = await startTrustRelease(client, TASK_QUEUE, signer);
    await releaseTrustFloor(handle, signer);

    const events = await trail(handle.workflowId);
    expect(events.map((event) => event.kind)).toEqual([
      AuditEventKind.VoteRecorded,
      AuditEventKind.ActionApproved,
      AuditEventKind.ExecutionStarted,
      AuditEventKind.CredentialIssued,
      AuditEventKind.OperationSucceeded,
    ]);
    expect(events[3]?.data).toMatchObject({ purpose: 'execute', accessKeyId: expect.any(String) });
  });

  it('refuses a vote whose proof was made for another workflow, in the validator: nothing recorded, nothing run', async () => {
    const handle = await startTrustRelease(client, TASK_QUEUE, signer);
    const decision = { reviewer: 'bench-reviewer', verdict: 'approve' as const, channel: 'api' };
    const updateId = `api:bench-reviewer:${randomUUID()}`;
    const forged = { ...decision, proof: signer.signDecision('another-workflow', updateId, decision) };

    await expect(handle.executeUpdate(trustVoteUpdate, { args: [forged], updateId })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect(await trail(handle.workflowId)).toEqual([]);
    const history = await handle.fetchHistory();
    expect(history.events?.some((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
    await handle.terminate('test done');
  });
});

describe('the auto-allowed trust floor', () => {
  it('verifies and records the request, previews with its own credential, records the decision, then executes with another', async () => {
    const actionId = await executeTrustFloor(client, TASK_QUEUE, signer);

    const events = await trail(actionId);
    expect(events.map((event) => event.kind)).toEqual([
      AuditEventKind.RequestReceived,
      AuditEventKind.CredentialIssued,
      AuditEventKind.PreviewCompleted,
      AuditEventKind.PolicyDecided,
      AuditEventKind.ActionApproved,
      AuditEventKind.ExecutionStarted,
      AuditEventKind.CredentialIssued,
      AuditEventKind.OperationSucceeded,
    ]);
    expect(events.filter((event) => event.kind === AuditEventKind.CredentialIssued).map((event) => event.data.purpose)).toEqual(['preview', 'execute']);
  });

  it('runs nothing for an unsigned start', async () => {
    const actionId = `trust-floor-activity-${randomUUID()}`;
    const request = {
      actionId,
      action: 'bench.noop',
      params: { run: 'trust-floor' },
      justification: 'unsigned',
      requester: { id: 'bench-auto', source: 'api' },
      requestedAt: new Date().toISOString(),
    };
    await expect(client.workflow.execute(trustActivityWorkflow, { taskQueue: TASK_QUEUE, workflowId: actionId, args: [request] })).rejects.toBeInstanceOf(
      WorkflowFailedError,
    );
    expect(await trail(actionId)).toEqual([]);
  });
});
