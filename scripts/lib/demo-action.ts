import { randomUUID } from 'node:crypto';
import type { ActionView } from '../../api/response-schemas';
import { ActionStatus, TERMINAL_STATUSES } from '../../domain/types';

export interface DemoActionOptions {
  apiUrl: string;
  /** API key of a dev principal. */
  key(principalId: string): string;
}

/** The request the screenshot shows: an agent exports a report for a partner, as an operator would meet it. */
export const PARTNER_EXPORT = {
  requester: 'etl-bot',
  reviewer: 'alice',
  body: {
    action: 's3.copyObject',
    params: {
      sourceBucket: 'airlock-source',
      sourceKey: 'reports/2026-q3.csv',
      destinationBucket: 'airlock-exports',
      destinationKey: 'partners/northwind/2026-q3-revenue.csv',
    },
    justification: 'Northwind needs the Q3 revenue report for the joint forecast review on Friday (ticket FIN-2291)',
    context: { ticket: 'FIN-2291', partner: 'northwind' },
  },
  comment: 'Partner export agreed in FIN-2291; aggregate figures only',
} as const;

/**
 * Runs PARTNER_EXPORT through the HTTP API as people and agents do: the agent submits, the
 * example policy sends it to review, the reviewer approves, and the operation runs. Resolves with
 * the action once it has succeeded; throws on any other outcome.
 */
export async function runPartnerExport(options: DemoActionOptions): Promise<ActionView> {
  const call = caller(options);
  const submitted = await call<ActionView>(PARTNER_EXPORT.requester, 'POST', '/v1/actions', PARTNER_EXPORT.body, 202);
  const pending = await waitForStatus(call, submitted.id, (status) => status !== ActionStatus.Evaluating);
  if (pending.status !== ActionStatus.PendingReview) throw new Error(`expected ${submitted.id} to wait for review, it is ${describe(pending)}`);
  await call(PARTNER_EXPORT.reviewer, 'POST', `/v1/actions/${encodeURIComponent(submitted.id)}/decisions`, {
    decision: 'approve',
    comment: PARTNER_EXPORT.comment,
  });
  const done = await waitForStatus(call, submitted.id, (status) => (TERMINAL_STATUSES as readonly string[]).includes(status));
  if (done.status !== ActionStatus.Succeeded) throw new Error(`expected ${submitted.id} to succeed, it is ${describe(done)}`);
  return done;
}

function describe(action: ActionView): string {
  return action.error ? `${action.status}: ${JSON.stringify(action.error)}` : action.status;
}

/** Calls the API as a dev principal; throws unless it answers `expected` (200 by default), else returns the parsed body. */
export type Call = <T>(principal: string, method: string, path: string, body?: unknown, expected?: number) => Promise<T>;

export function caller(options: DemoActionOptions): Call {
  return async <T>(principal: string, method: string, path: string, body?: unknown, expected = 200): Promise<T> => {
    const response = await fetch(`${options.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.key(principal)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`${method} ${path} as ${principal}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
}

async function waitForStatus(call: Call, id: string, done: (status: string) => boolean): Promise<ActionView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const action = await call<ActionView>(PARTNER_EXPORT.reviewer, 'GET', `/v1/actions/${encodeURIComponent(id)}`);
    if (done(action.status)) return action;
    if (Date.now() > deadline) throw new Error(`${id} is still ${action.status} after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
