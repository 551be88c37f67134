import { MockActivityEnvironment } from '@temporalio/testing';
import { recordCredentialIssued, type IssuedCredential } from '../../../activities/audit';
import type { AuditLog } from '../../../audit/audit-log';
import { memoryAuditLog } from '../../support/audit';

/**
 * Every credential STS issues is on record before it is used. A local activity run again after its
 * workflow task failed has the same activity id and attempt as the run before it, so the record's
 * id must tell the two credentials apart by more than the attempt.
 */
describe('recordCredentialIssued', () => {
  let audit: AuditLog;
  beforeEach(() => {
    audit = memoryAuditLog();
  });
  afterEach(() => audit.close());

  const issued = (accessKeyId: string): IssuedCredential => ({
    actionId: 'act-1',
    purpose: 'preview',
    session: { roleArn: 'arn:aws:iam::123456789012:role/executor', roleSessionName: 'act-1', sourceIdentity: 'etl-bot' },
    accessKeyId,
  });
  /** The same activity, attempt 1, as a local activity run again after its workflow task failed. */
  const sameAttempt = (): MockActivityEnvironment =>
    new MockActivityEnvironment({ attempt: 1, activityId: '1', workflowExecution: { workflowId: 'act-1', runId: 'run-1' } });

  test('two credentials of runs with the same attempt are both recorded; a repeated write of one is skipped', async () => {
    await sameAttempt().run(() => recordCredentialIssued(audit, issued('ASIAFIRSTRUN')));
    await sameAttempt().run(() => recordCredentialIssued(audit, issued('ASIASECONDRUN')));
    await sameAttempt().run(() => recordCredentialIssued(audit, issued('ASIASECONDRUN')));
    const records = await audit.lineage('act-1');
    expect(records.map((record) => [record.kind, record.data.accessKeyId])).toEqual([
      ['credential.issued', 'ASIAFIRSTRUN'],
      ['credential.issued', 'ASIASECONDRUN'],
    ]);
    expect(new Set(records.map((record) => record.eventId)).size).toBe(2);
  });
});
