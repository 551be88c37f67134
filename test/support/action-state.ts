import { ActionStatus, type ActionState, type JsonObject } from '../../domain/types';

export const SAMPLE_ACTION_ID = 'action-s3.copyObject-aaaaaaaaaaaaaaaa';

/** A pending-review action as the workflow would hold it, for tests of what channels render. */
export function sampleActionState(
  overrides: Partial<ActionState> = {},
  request: { params?: JsonObject; source?: string; channels?: string[] } = {},
): ActionState {
  return {
    actionId: SAMPLE_ACTION_ID,
    status: ActionStatus.PendingReview,
    request: {
      actionId: SAMPLE_ACTION_ID,
      action: 's3.copyObject',
      params: request.params ?? { sourceBucket: 'airlock-src', destinationKey: 'exports/b.csv' },
      justification: 'Finance needs the report',
      requester: { id: 'etl-bot', source: request.source ?? 'api' },
      requestedAt: '2026-11-21T13:00:00.000Z',
    },
    policy: {
      effect: 'review',
      ruleId: 'review-two-owners',
      reason: 'Data leaves its home bucket',
      risk: 'high',
      policyHash: 'sha256:x',
      review: {
        approverGroups: ['data-owners'],
        eligibleApprovers: ['alice', 'bob', 'carol'],
        quorum: 2,
        timeoutMs: 3_600_000,
        channels: request.channels ?? ['api'],
      },
    },
    operation: { idempotent: true, summary: 'copy s3://airlock-src/a.csv to s3://airlock-exports/b.csv' },
    votes: [],
    deadline: '2026-11-21T14:00:00.000Z',
    updatedAt: '2026-11-21T13:00:00.000Z',
    ...overrides,
  };
}
