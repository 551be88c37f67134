import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createAdmissionActivities,
  PREVIEW_ATTEMPTS,
  PREVIEW_TIMEOUT_MS,
  type Admission,
  type AdmissionParts,
  type AdmitRequestInput,
} from '../../../activities/admission';
import { ADMISSION_OUTCOME_EVENTS } from '../../../domain/admission-outcome';
import { AuditEventKind, type AuditEventInput } from '../../../domain/audit-events';
import { FailureType } from '../../../domain/failure-types';
import type { ActionRequestInput, OperationFacts, OperationPreview, PolicyDecision } from '../../../domain/types';

/**
 * `admitAction`, admission in one local activity: what it runs in which case, and how a failing
 * preview is retried (by failing the attempt) or given up on (admission goes on without it).
 */

const OPERATION: OperationFacts = { idempotent: true, summary: 'copy' };
const PREVIEW: OperationPreview = { facts: { sourceBytes: 2048 }, notes: [], warnings: [] };
const decision = (effect: PolicyDecision['effect']): PolicyDecision => ({
  effect,
  ruleId: `rule-${effect}`,
  reason: 'test',
  risk: 'low',
  policyHash: 'sha256:test',
});

const request = {
  actionId: 'action-1',
  action: 's3.copyObject',
  params: { key: 'in.csv' },
  requester: { id: 'etl-bot', source: 'api' },
  justification: 'test',
  requestedAt: '2026-01-01T00:00:00.000Z',
} as unknown as ActionRequestInput;

const input: AdmitRequestInput = {
  request,
  workflowStartedAt: '2026-01-01T00:00:00.000Z',
  received: {
    eventId: 'action-1/run/1',
    kind: AuditEventKind.RequestReceived,
    actionId: 'action-1',
    actor: 'etl-bot',
    occurredAt: '2026-01-01T00:00:00.000Z',
    data: {},
  },
  evaluation: { action: request.action, params: request.params, requester: request.requester },
};

/**
 * Parts that record their calls and the events they were given to store; policy decides `early` on
 * params (undefined: it needs the preview). `failStoreAfter`: the store fails from that call on.
 */
function parts(early: PolicyDecision | undefined, preview: () => Promise<OperationPreview>, failStoreAfter = Infinity, storedBefore: AuditEventInput[][] = []) {
  const calls: string[] = [];
  const evaluated: unknown[] = [];
  const stored: AuditEventInput[][] = [...storedBefore];
  const admission: AdmissionParts = {
    async verifyActionRequest() {
      calls.push('verify');
    },
    async recordAuditEvents({ events }) {
      calls.push('record');
      if (stored.length >= failStoreAfter) throw new Error('the audit store is down');
      stored.push(events);
    },
    async storedAuditEvents({ actionId, eventIds }) {
      calls.push('read');
      if (stored.length >= failStoreAfter) throw new Error('the audit store is down');
      const all = stored.flat().filter((event) => event.actionId === actionId);
      return eventIds.flatMap((id) => all.filter((event) => event.eventId === id).slice(0, 1));
    },
    async evaluatePolicyBeforePreview() {
      calls.push('decide on params');
      return early ? { decision: early, needsPreview: false, operation: OPERATION } : { needsPreview: true, operation: OPERATION };
    },
    async evaluatePolicy(evaluation) {
      calls.push('decide on the preview');
      evaluated.push(evaluation.preview);
      return { decision: decision('review'), operation: OPERATION };
    },
    previewOperation() {
      calls.push('preview');
      return preview();
    },
  };
  return { calls, evaluated, stored, admitAction: createAdmissionActivities(admission).admitAction };
}

type AdmitAction = (input: AdmitRequestInput) => Promise<Admission>;
/** `admitAction` run as attempt `n` of its local activity. */
const admitAs = (n: number, admitAction: AdmitAction): Promise<Admission> => new MockActivityEnvironment({ attempt: n }).run(admitAction, input);

describe('admitAction', () => {
  test('a request denied on params is never previewed', async () => {
    const { calls, admitAction } = parts(decision('deny'), () => Promise.resolve(PREVIEW));
    const admitted = await admitAs(1, admitAction);
    expect(admitted).toEqual({ decision: decision('deny'), operation: OPERATION });
    expect(calls).toEqual(['verify', 'record', 'decide on params']);
  });

  test('a request decided on params is previewed for its reviewers, and not decided again', async () => {
    const { calls, admitAction } = parts(decision('review'), () => Promise.resolve(PREVIEW));
    const admitted = await admitAs(1, admitAction);
    expect(admitted).toEqual({ decision: decision('review'), operation: OPERATION, preview: PREVIEW });
    expect(calls).toEqual(['verify', 'record', 'decide on params', 'preview']);
  });

  test('policy that needs the preview decides on its facts', async () => {
    const { calls, evaluated, admitAction } = parts(undefined, () => Promise.resolve(PREVIEW));
    const admitted = await admitAs(1, admitAction);
    expect(admitted.preview).toEqual(PREVIEW);
    expect(calls).toEqual(['verify', 'record', 'decide on params', 'preview', 'decide on the preview']);
    expect(evaluated).toEqual([PREVIEW.facts]);
  });

  test('a retryable preview failure fails the attempt while attempts remain, then admission goes on without it', async () => {
    const failing = () => Promise.reject(ApplicationFailure.retryable('throttled', 'ThrottlingException'));
    for (let n = 1; n < PREVIEW_ATTEMPTS; n += 1) {
      await expect(admitAs(n, parts(undefined, failing).admitAction)).rejects.toThrow('throttled');
    }
    const last = parts(undefined, failing);
    const admitted = await admitAs(PREVIEW_ATTEMPTS, last.admitAction);
    expect(admitted.preview).toEqual({ error: { type: 'ThrottlingException', message: 'throttled' } });
    expect(last.evaluated).toEqual([{}]); // rules on the preview's facts match nothing
  });

  test('a preview failure no retry helps is given up on at the first attempt', async () => {
    const permanent = parts(undefined, () => Promise.reject(ApplicationFailure.nonRetryable('no such key', 'NoSuchKey')));
    expect((await admitAs(1, permanent.admitAction)).preview).toEqual({ error: { type: 'NoSuchKey', message: 'no such key' } });
    // A type that ends admission would fail it if thrown: from the preview it is only the preview's failure.
    const invalid = parts(undefined, () => Promise.reject(ApplicationFailure.retryable('bad params', FailureType.InvalidParams)));
    expect((await admitAs(1, invalid.admitAction)).preview).toEqual({ error: { type: FailureType.InvalidParams, message: 'bad params' } });
  });

  test('a preview that does not answer in time counts as a failed attempt', async () => {
    jest.useFakeTimers();
    try {
      const hanging = parts(decision('review'), () => new Promise<never>(() => undefined));
      const admitted = admitAs(PREVIEW_ATTEMPTS, hanging.admitAction);
      await jest.advanceTimersByTimeAsync(PREVIEW_TIMEOUT_MS);
      expect((await admitted).preview).toEqual({ error: { type: FailureType.PreviewTimeout, message: 'the preview did not answer within 60 s' } });
    } finally {
      jest.useRealTimers();
    }
  });

  test('an admission cancelled while policy decided is not previewed', async () => {
    const environment = new MockActivityEnvironment({ attempt: 1 });
    const { calls, admitAction } = parts(decision('review'), () => Promise.resolve(PREVIEW));
    const admitted = environment.run(async (admission: AdmitRequestInput) => {
      environment.cancel();
      return admitAction(admission);
    }, input);
    await expect(admitted).rejects.toBeInstanceOf(CancelledFailure);
    expect(calls).toEqual(['verify', 'record', 'decide on params']);
  });
});

/** `admission-records-outcome`: admission stores its outcome under the ids the workflow reserved. */
describe('admitAction storing its outcome', () => {
  const eventIds = Array.from({ length: ADMISSION_OUTCOME_EVENTS }, (_, index) => `action-1/run/${index + 2}`);
  const withOutcome: AdmitRequestInput = { ...input, outcome: { eventIds, actionId: 'action-1' } };
  const summary = (events: AuditEventInput[] | undefined) => events?.map((event) => [event.eventId, event.kind, event.actor]);

  test('an auto-allowed request stores the preview, the decision, the approval and the start, in that order, after the request', async () => {
    const { stored, admitAction } = parts(decision('allow'), () => Promise.resolve(PREVIEW));
    const admitted = await new MockActivityEnvironment({ attempt: 1 }).run(admitAction, withOutcome);
    expect(admitted).toEqual({ decision: decision('allow'), operation: OPERATION, preview: PREVIEW, outcomeRecorded: true });
    expect(stored.map((events) => events.map((event) => event.kind))).toEqual([
      ['request.received'],
      ['preview.completed', 'policy.decided', 'action.approved', 'execution.started'],
    ]);
    expect(summary(stored[1])).toEqual([
      ['action-1/run/2', 'preview.completed', 'airlock'],
      ['action-1/run/3', 'policy.decided', 'policy'],
      ['action-1/run/4', 'action.approved', 'policy'],
      ['action-1/run/5', 'execution.started', 'airlock'],
    ]);
    expect(stored[1]?.[2]?.data).toEqual({ by: 'policy', ruleId: 'rule-allow' });
    expect(stored[1]?.[3]?.data).toEqual({ approvers: [], idempotent: true });
  });

  test('a denial stores the decision and the denial under the first ids; a review, the preview and the decision', async () => {
    const denied = parts(decision('deny'), () => Promise.resolve(PREVIEW));
    await new MockActivityEnvironment({ attempt: 1 }).run(denied.admitAction, withOutcome);
    expect(summary(denied.stored[1])).toEqual([
      ['action-1/run/2', 'policy.decided', 'policy'],
      ['action-1/run/3', 'action.denied', 'policy'],
    ]);
    const review = { approverGroups: ['data'], eligibleApprovers: ['alice'], quorum: 1, timeoutMs: 60_000, channels: [] };
    const reviewed = parts({ ...decision('review'), review }, () => Promise.resolve(PREVIEW));
    await new MockActivityEnvironment({ attempt: 1 }).run(reviewed.admitAction, withOutcome);
    expect(summary(reviewed.stored[1])).toEqual([
      ['action-1/run/2', 'preview.completed', 'airlock'],
      ['action-1/run/3', 'policy.decided', 'policy'],
    ]);
    // `review` without a requirement approves at once, as the workflow does.
    const unrequired = parts(decision('review'), () => Promise.resolve(PREVIEW));
    await new MockActivityEnvironment({ attempt: 1 }).run(unrequired.admitAction, withOutcome);
    expect(unrequired.stored[1]?.map((event) => event.kind)).toEqual(['preview.completed', 'policy.decided', 'action.approved', 'execution.started']);
  });

  test('a failing store does not fail admission: it says the outcome is not stored, for the workflow to write', async () => {
    const { calls, stored, admitAction } = parts(decision('allow'), () => Promise.resolve(PREVIEW), 1);
    const admitted = await new MockActivityEnvironment({ attempt: 1 }).run(admitAction, withOutcome);
    expect(admitted).toMatchObject({ decision: decision('allow'), preview: PREVIEW, outcomeRecorded: false });
    // What an earlier attempt stored could not be read either: decided and written here.
    expect(calls).toEqual(['verify', 'record', 'decide on params', 'read', 'preview', 'record']);
    expect(stored).toHaveLength(1); // the request alone
  });

  test('a retry acts on the outcome an earlier attempt stored, not on its own decision, and stores none of its own', async () => {
    // Attempt 1 sent the action to review; its workflow task then failed (the worker died), so the
    // local activity runs again, and this time the preview reads other facts and policy allows.
    const review = { approverGroups: ['data'], eligibleApprovers: ['alice'], quorum: 1, timeoutMs: 60_000, channels: ['email:data@example.com'] };
    const first = parts({ ...decision('review'), review }, () => Promise.resolve(PREVIEW));
    await new MockActivityEnvironment({ attempt: 1 }).run(first.admitAction, withOutcome);
    const retry = parts(decision('allow'), () => Promise.resolve({ ...PREVIEW, facts: { sourceBytes: 1 } }), Infinity, first.stored);
    const admitted = await new MockActivityEnvironment({ attempt: 1 }).run(retry.admitAction, withOutcome);
    expect(admitted).toEqual({ decision: { ...decision('review'), review }, operation: OPERATION, preview: PREVIEW, outcomeRecorded: true });
    expect(retry.calls).toEqual(['verify', 'record', 'decide on params', 'read']); // no second preview, so no second credential
    // Only the request's write, skipped by the store as a repeat: no approval, no start.
    expect(retry.stored.slice(first.stored.length).map((events) => events.map((event) => event.kind))).toEqual([['request.received']]);
  });

  test('a retry after an approval on record runs what it approved, whatever policy says now', async () => {
    const first = parts(decision('allow'), () => Promise.resolve(PREVIEW));
    await new MockActivityEnvironment({ attempt: 1 }).run(first.admitAction, withOutcome);
    const retry = parts(decision('deny'), () => Promise.resolve(PREVIEW), Infinity, first.stored);
    const admitted = await new MockActivityEnvironment({ attempt: 1 }).run(retry.admitAction, withOutcome);
    expect(admitted).toEqual({ decision: decision('allow'), operation: OPERATION, preview: PREVIEW, outcomeRecorded: true });
    expect(retry.stored).toHaveLength(first.stored.length + 1); // the request's repeat alone
  });

  test('a cancel during the preview ends admission at once, with no outcome stored', async () => {
    const environment = new MockActivityEnvironment({ attempt: 1 });
    let previewing: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (previewing = resolve));
    const { stored, admitAction } = parts(decision('allow'), () => {
      previewing();
      return new Promise<never>(() => undefined); // a preview that never answers
    });
    const admitted = environment.run(admitAction, withOutcome);
    await reached;
    environment.cancel();
    await expect(admitted).rejects.toBeInstanceOf(CancelledFailure);
    expect(stored.map((events) => events.map((event) => event.kind))).toEqual([['request.received']]);
  });

  test('a cancel that arrives once the preview answered stores nothing', async () => {
    const environment = new MockActivityEnvironment({ attempt: 1 });
    const { stored, admitAction } = parts(decision('allow'), async () => {
      environment.cancel(); // the preview answers, but the action was cancelled meanwhile
      return PREVIEW;
    });
    await expect(environment.run(admitAction, withOutcome)).rejects.toBeInstanceOf(CancelledFailure);
    expect(stored).toHaveLength(1);
  });
});
