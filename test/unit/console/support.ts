import type { ConsoleSession } from '../../../api/console/session';
import type { ActionState, ReviewRequirement } from '../../../domain/types';

export const ACTION_ID = 'action-s3.copyObject-abcdefghjkmnpqrs';
const NOW = Date.parse('2026-12-04T12:00:00Z');
export const AT = NOW;

/** A copy pending review by data-owners (alice, bob), requested by etl-bot. */
export function pendingState(overrides: Partial<ActionState> = {}, review: Partial<ReviewRequirement> = {}): ActionState {
  return {
    actionId: ACTION_ID,
    status: 'pending_review',
    request: {
      actionId: ACTION_ID,
      action: 's3.copyObject',
      params: { sourceBucket: 'src', sourceKey: 'a.csv', destinationBucket: 'exports', destinationKey: 'b.csv' },
      justification: 'Quarterly report',
      requester: { id: 'etl-bot', source: 'api' },
      requestedAt: '2026-12-04T11:59:00.000Z',
    },
    policy: {
      effect: 'review',
      ruleId: 'review-copies',
      reason: 'Data leaves its home bucket',
      risk: 'high',
      policyHash: `sha256:${'0'.repeat(64)}`,
      review: {
        approverGroups: ['data-owners'],
        eligibleApprovers: ['alice', 'bob'],
        quorum: 1,
        timeoutMs: 3_600_000,
        channels: ['api'],
        ...review,
      },
    },
    operation: { idempotent: true, summary: 'copy s3://src/a.csv to s3://exports/b.csv' },
    votes: [],
    deadline: '2026-12-04T12:59:00.000Z',
    updatedAt: '2026-12-04T11:59:01.000Z',
    ...overrides,
  };
}

/** bob, a reviewer, signed in a minute before `AT`. */
export function session(overrides: Partial<ConsoleSession> = {}): ConsoleSession {
  return {
    sid: 'sid-1',
    identity: 'bob',
    issuer: 'https://idp.example.com',
    subject: 'bob-sub',
    roles: ['reviewer'],
    idpGroups: ['data-owners'],
    authTime: Math.floor(NOW / 1000) - 60,
    expiresAt: NOW + 3_600_000,
    ...overrides,
  };
}
