import type { Payload } from '@temporalio/common';
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

/** The codec server protocol: Temporal's `Payloads` message in proto3 JSON (bytes as base64). */
export const payloadsBody = z.strictObject({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).optional(),
        data: base64.optional(),
      }),
    )
    .max(10_000)
    .default([]), // proto3 JSON leaves out an empty list: the Temporal CLI sends `{}`
});

export type PayloadsBody = z.infer<typeof payloadsBody>;

export function payloadsFromJson(body: PayloadsBody): Payload[] {
  return body.payloads.map((payload) => ({
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  }));
}

export function payloadsToJson(payloads: Payload[]): PayloadsBody {
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
      data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}
