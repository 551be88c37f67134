import { z } from 'zod';
import { ACTION_STATUSES } from '../domain/types';

/** `POST /v1/actions` body. `params` is checked again by the operation's own schema. */
export const createActionBody = z.strictObject({
  action: z.string().min(1).max(64).regex(/^[A-Za-z0-9.]+$/, 'must be an operation name such as s3.copyObject'),
  params: z.record(z.string(), z.json()),
  justification: z.string().trim().min(10, 'explain why in at least 10 characters').max(2000),
  context: z.record(z.string(), z.json()).optional(),
  idempotencyKey: z.string().min(1).max(255).optional(),
  /** Where Airlock POSTs the signed final outcome; its host and port must be allow-listed by the operator. */
  callbackUrl: z.string().max(2048).optional(),
});

export const idempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** `POST /v1/actions/{id}/decisions` body. The reviewer is the authenticated principal. */
export const decisionBody = z
  .strictObject({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().trim().max(2000).optional(),
  })
  .refine((body) => body.decision === 'approve' || (body.comment?.length ?? 0) > 0, {
    message: 'a rejection needs a comment giving the reason',
    path: ['comment'],
  });

export const cancelBody = z.strictObject({ reason: z.string().trim().max(2000).optional() });

export const listQuery = z.strictObject({
  status: z.enum(ACTION_STATUSES as [string, ...string[]]).optional(),
  action: z.string().regex(/^[A-Za-z0-9.]{1,64}$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The longest `GET /v1/actions/{id}?waitSeconds=` may wait for the action to finish. */
export const MAX_WAIT_SECONDS = 60;

/** `GET /v1/actions/{id}` query: `waitSeconds` long-polls until the action is final (0: answer now). */
export const getActionQuery = z.strictObject({
  waitSeconds: z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).default(0),
});
