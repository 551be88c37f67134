import { createAuditActivities } from '../../../activities/audit';
import type { AuditLog } from '../../../audit/audit-log';
import { admissionOutcomeEvents, outcomeFromEvents, type AdmissionOutcome } from '../../../domain/admission-outcome';
import { AuditEventKind } from '../../../domain/audit-events';
import type { ActionPreview, OperationFacts, PolicyDecision } from '../../../domain/types';
import { memoryAuditLog } from '../../support/audit';

/**
 * A retried admission acts on the outcome an earlier attempt stored (activities/admission.ts): the
 * stored events must give back exactly the decision and preview they were written from, through a
 * real store's canonical JSON.
 */

const OPERATION: OperationFacts = { idempotent: false, summary: 'set the policy' };
const decided = (effect: PolicyDecision['effect'], review?: PolicyDecision['review']): PolicyDecision => ({
  effect,
  ruleId: `rule-${effect}`,
  reason: 'because',
  risk: 'high',
  policyHash: 'sha256:abc',
  ...(review ? { review } : {}),
});
const FULL_REVIEW: PolicyDecision['review'] = {
  approverGroups: ['security'],
  eligibleApprovers: ['alice', 'bob'],
  poolIdpGroups: ['sec-oncall'],
  quorum: 2,
  timeoutMs: 86_400_000,
  channels: ['slack:#sec', 'email:sec@example.com'],
  remindBeforeMs: [3_600_000, 600_000],
  stepUpMaxAgeMs: 300_000,
  escalation: { afterMs: 43_200_000, approverGroups: ['ciso'], eligibleApprovers: ['carol'], poolIdpGroups: ['ciso-staff'], channels: ['teams:ciso'] },
};
const PREVIEW: ActionPreview = {
  facts: { widensAccess: true, statements: 3, owner: null },
  notes: ['adds s3:GetObject'],
  warnings: ['public'],
  detail: '--- before\n+++ after',
  preconditions: { currentPolicyHash: 'sha256:def', versions: [1, 2] },
};

const OUTCOMES: [string, AdmissionOutcome][] = [
  [
    'a review with every requirement, after a preview with detail and preconditions',
    { decision: decided('review', FULL_REVIEW), operation: OPERATION, preview: PREVIEW },
  ],
  [
    'an approval by policy after a failed preview',
    { decision: decided('allow'), operation: OPERATION, preview: { error: { type: 'AccessDenied', message: 'no' } } },
  ],
  ['a denial on params, never previewed', { decision: decided('deny'), operation: OPERATION }],
];

describe('an admission outcome read back from the store', () => {
  let audit: AuditLog;
  beforeEach(() => {
    audit = memoryAuditLog();
  });
  afterEach(() => audit.close());

  test.each(OUTCOMES)('%s gives back its decision and preview', async (_, outcome) => {
    const eventIds = ['act-1/run/2', 'act-1/run/3', 'act-1/run/4', 'act-1/run/5'];
    const events = admissionOutcomeEvents(eventIds, 'act-1', outcome, '2026-12-05T10:00:00.000Z');
    const unrelated = {
      eventId: 'act-1/run/1',
      kind: AuditEventKind.RequestReceived,
      actionId: 'act-1',
      actor: 'etl-bot',
      occurredAt: '2026-12-05T09:59:59.000Z',
      data: {},
    };
    await audit.append([unrelated, ...events]);

    const stored = await createAuditActivities(audit).storedAuditEvents({ actionId: 'act-1', eventIds });
    expect(stored.map((event) => event.eventId)).toEqual(eventIds.slice(0, events.length));
    const { decision, preview } = outcome;
    expect(outcomeFromEvents(stored)).toEqual(preview ? { decision, preview } : { decision });
  });

  test('another action’s events under the same ids are not this one’s', async () => {
    const eventIds = ['shared/2', 'shared/3'];
    await audit.append(admissionOutcomeEvents(eventIds, 'act-2', { decision: decided('deny'), operation: OPERATION }, '2026-12-05T10:00:00.000Z'));
    expect(await createAuditActivities(audit).storedAuditEvents({ actionId: 'act-1', eventIds })).toEqual([]);
  });

  test('events without a readable decision are refused, not guessed at', () => {
    expect(() => outcomeFromEvents([{ kind: AuditEventKind.PreviewCompleted, data: {} }])).toThrow(/no readable policy.decided/);
    expect(() => outcomeFromEvents([{ kind: AuditEventKind.PolicyDecided, data: { effect: 'maybe' } }])).toThrow(/no readable policy.decided/);
  });
});
