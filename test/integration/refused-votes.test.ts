import { createHash } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { AuditLog, AuditRecord } from '../../audit/audit-log';
import { openAuditLog } from '../../audit/open-store';
import { ActionsService } from '../../api/actions-service';
import { ApiMetrics } from '../../api/metrics';
import { REFUSED_VOTE_COMMENT_CHARS, REFUSED_VOTES_ON_RECORD, RefusedVoteRecorder, type RefusedVote } from '../../api/refused-votes';
import { defaultCatalogue } from '../../operations/catalogue';
import { freshStore, STORE_KINDS, type StoreUnderTest } from '../support/audit-stores';
import { testSigner } from '../support/identity-keys';
import { parsePrometheusText, sumOf } from '../support/prometheus-text';

const NOT_AN_APPROVER = { code: 'not_an_approver', message: 'mallory is not an approver of this action' };

/**
 * What refused votes write, on each store: a few records per reviewer and action, counted from the
 * trail itself (so a second API instance, or a restart, writes no more), comments cut to 256
 * characters with the sha256 of the whole, and the rest counted in the API's metrics and logged.
 */
describe.each(STORE_KINDS)('refused votes on record (%s store)', (kind) => {
  let store: StoreUnderTest;
  const opened: AuditLog[] = [];

  beforeEach(async () => {
    store = await freshStore(kind);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((audit) => audit.close()));
    await store?.cleanup();
  });

  /** One API instance: its own connection to the store, its own metrics and log. */
  async function apiInstance() {
    const audit = await openAuditLog(store.url);
    opened.push(audit);
    const metrics = new ApiMetrics({ actions: [] });
    const warnings: Record<string, unknown>[] = [];
    const log = { warn: (details: Record<string, unknown>) => void warnings.push(details) };
    const recorder = new RefusedVoteRecorder(audit, { log, metrics });
    const notRecorded = async (code?: string): Promise<number> =>
      sumOf(parsePrometheusText(await metrics.scrape()), 'airlock_refused_votes_not_recorded_total', code ? { code } : {});
    return { audit, recorder, warnings, notRecorded };
  }

  function refused(reviewer: string, actionId: string, comment?: string, updateId?: string): RefusedVote {
    return {
      actionId,
      decision: { reviewer, verdict: 'reject', channel: 'api', ...(comment !== undefined ? { comment } : {}) },
      refusal: NOT_AN_APPROVER,
      ...(updateId ? { updateId } : {}),
    };
  }

  async function refusedOnRecord(audit: AuditLog, actionId: string, actor: string): Promise<AuditRecord[]> {
    const found: AuditRecord[] = [];
    for await (const record of audit.records({ actionId, actor })) if (record.kind === 'vote.refused') found.push(record);
    return found;
  }

  test('a flood by one reviewer writes a few records; the rest are counted and logged, not written', async () => {
    const api = await apiInstance();
    const comment = `${'x'.repeat(1_990)} — the end`;
    const outcomes = [];
    for (let i = 0; i < 20; i++) outcomes.push(await api.recorder.record(refused('mallory', 'action-a', comment)));

    expect(outcomes).toEqual([...Array<string>(REFUSED_VOTES_ON_RECORD).fill('recorded'), ...Array<string>(20 - REFUSED_VOTES_ON_RECORD).fill('not_recorded')]);
    const records = await refusedOnRecord(api.audit, 'action-a', 'mallory');
    expect(records).toHaveLength(REFUSED_VOTES_ON_RECORD);
    expect(records[0]?.data).toEqual({
      verdict: 'reject',
      channel: 'api',
      comment: 'x'.repeat(REFUSED_VOTE_COMMENT_CHARS),
      commentChars: 2_000,
      commentSha256: createHash('sha256').update(comment).digest('hex'),
      code: 'not_an_approver',
      message: NOT_AN_APPROVER.message,
    });
    expect(await api.notRecorded('not_an_approver')).toBe(20 - REFUSED_VOTES_ON_RECORD);
    expect(api.warnings).toHaveLength(20 - REFUSED_VOTES_ON_RECORD);
    expect(api.warnings[0]).toEqual({ actionId: 'action-a', reviewer: 'mallory', channel: 'api', code: 'not_an_approver', onRecord: REFUSED_VOTES_ON_RECORD });
    expect(JSON.stringify(api.warnings)).not.toContain('xxxx'); // the comment is not logged either
    expect((await api.audit.verify()).ok).toBe(true);
  });

  test('the bound is per reviewer and per action, and holds across API instances and restarts', async () => {
    const first = await apiInstance();
    for (let i = 0; i < REFUSED_VOTES_ON_RECORD; i++) expect(await first.recorder.record(refused('mallory', 'action-a', 'again'))).toBe('recorded');
    expect(await first.recorder.record(refused('mallory', 'action-a'))).toBe('not_recorded');

    // Another instance (or this one restarted) counts what the trail holds, not what it saw.
    const second = await apiInstance();
    expect(await second.recorder.record(refused('mallory', 'action-a'))).toBe('not_recorded');
    expect(await second.notRecorded()).toBe(1);

    // Another reviewer on the action, and the same reviewer on another action, still go on record.
    expect(await second.recorder.record(refused('bob', 'action-a'))).toBe('recorded');
    expect(await second.recorder.record(refused('mallory', 'action-b'))).toBe('recorded');
    expect(await refusedOnRecord(second.audit, 'action-a', 'mallory')).toHaveLength(REFUSED_VOTES_ON_RECORD);
  });

  test('other events of the reviewer on the action do not count; a retried vote is recorded once and never counted', async () => {
    const api = await apiInstance();
    // The reviewer's accepted vote is the workflow's event: not a refusal.
    await api.audit.append([
      { eventId: 'action-a/run/1', kind: 'vote.recorded', actionId: 'action-a', actor: 'mallory', occurredAt: new Date().toISOString(), data: {} },
    ]);
    expect(await api.recorder.record(refused('mallory', 'action-a', 'short and kept', 'api:mallory:key-1'))).toBe('recorded');
    expect(await api.recorder.record(refused('mallory', 'action-a', 'short and kept', 'api:mallory:key-1'))).toBe('already_recorded');
    for (let i = 1; i < REFUSED_VOTES_ON_RECORD; i++) expect(await api.recorder.record(refused('mallory', 'action-a'))).toBe('recorded');
    expect(await api.recorder.record(refused('mallory', 'action-a', 'short and kept', 'api:mallory:key-1'))).toBe('already_recorded');
    expect(await api.notRecorded()).toBe(0);

    const records = await refusedOnRecord(api.audit, 'action-a', 'mallory');
    expect(records).toHaveLength(REFUSED_VOTES_ON_RECORD);
    expect(records[0]?.data).toEqual({
      verdict: 'reject',
      channel: 'api',
      comment: 'short and kept',
      code: 'not_an_approver',
      message: NOT_AN_APPROVER.message,
    });
  });

  test('ActionsService.decide writes refusals through the recorder, and answers each one as refused', async () => {
    const api = await apiInstance();
    // A Temporal client whose workflow refuses every vote in its validator, as for a reviewer outside the approver groups.
    const refusing = {
      options: { namespace: 'default' },
      connection: { withDeadline: <T>(_deadline: number, call: () => Promise<T>) => call() },
      workflow: {
        getHandle: () => ({
          executeUpdate: () =>
            Promise.reject(new WorkflowUpdateFailedError('refused', ApplicationFailure.create({ type: 'not_an_approver', message: NOT_AN_APPROVER.message }))),
        }),
      },
    } as unknown as Client; // the few members decide() reaches on this path
    const actions = new ActionsService(refusing, defaultCatalogue(), 'refused-votes-test', api.audit, testSigner(), 1_000, api.recorder);
    for (let i = 0; i < 10; i++) {
      await expect(actions.decide('action-a', { reviewer: 'mallory', verdict: 'approve', channel: 'api', comment: 'y'.repeat(2_000) })).rejects.toMatchObject({
        name: 'ActionRefusedError',
        code: 'not_an_approver',
      });
    }
    const records = await refusedOnRecord(api.audit, 'action-a', 'mallory');
    expect(records).toHaveLength(REFUSED_VOTES_ON_RECORD);
    expect(records.map((record) => String(record.data.comment).length)).toEqual(Array<number>(REFUSED_VOTES_ON_RECORD).fill(REFUSED_VOTE_COMMENT_CHARS));
    expect(await api.notRecorded('not_an_approver')).toBe(10 - REFUSED_VOTES_ON_RECORD);

    // The store unreachable: nothing is known to be on record, so the vote is answered 503 as before.
    await api.audit.close();
    opened.splice(opened.indexOf(api.audit), 1);
    await expect(actions.decide('action-a', { reviewer: 'bob', verdict: 'approve', channel: 'api' })).rejects.toMatchObject({
      name: 'AuditUnavailableError',
      code: 'audit_unavailable',
    });
  });

  test('a comment is cut by characters, never inside one', async () => {
    const api = await apiInstance();
    const comment = '🔒'.repeat(300); // two UTF-16 units each
    await api.recorder.record(refused('mallory', 'action-a', comment));
    const [record] = await refusedOnRecord(api.audit, 'action-a', 'mallory');
    expect(record?.data).toMatchObject({ comment: '🔒'.repeat(REFUSED_VOTE_COMMENT_CHARS), commentChars: 300 });
  });
});
