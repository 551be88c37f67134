import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import type { ActionState } from '../../../domain/types';
import { callbackUrlProblem } from '../callback-url';

export interface CallbackSettings {
  /** HMAC key for `Airlock-Signature`; without it no callback is sent. */
  secret?: string;
  /** Hosts callback URLs may point at. */
  allowedHosts: readonly string[];
  timeoutMs?: number;
}

export interface DeliverCallbackInput {
  url: string;
  state: ActionState;
}

/** `Airlock-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, as receivers verify it. */
export function signCallback(body: string, secret: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

/** What the requester learns: the outcome and its evidence, never credentials (the state holds none). */
export function callbackBody(state: ActionState): string {
  return JSON.stringify({
    id: state.actionId,
    status: state.status,
    action: state.request.action,
    requester: state.request.requester.id,
    policy: state.policy ? { effect: state.policy.effect, ruleId: state.policy.ruleId, reason: state.policy.reason } : null,
    votes: state.votes,
    cancellation: state.cancellation ?? null,
    result: state.result ?? null,
    error: state.error ?? null,
    closedAt: state.closedAt ?? null,
  });
}

/** The callback activity: one signed POST per attempt; Temporal retries with backoff. */
export function createCallbackActivities(settings: CallbackSettings) {
  return {
    async deliverCallback(input: DeliverCallbackInput): Promise<void> {
      const problem = callbackUrlProblem(input.url, settings.allowedHosts);
      if (problem || !settings.secret) {
        throw ApplicationFailure.create({
          type: FailureType.CallbackNotAllowed,
          message: problem ? `callback URL ${problem}` : 'AIRLOCK_CALLBACK_SECRET is not set',
          nonRetryable: true,
        });
      }
      const body = callbackBody(input.state);
      let response: Response;
      try {
        response = await fetch(input.url, {
          method: 'POST',
          redirect: 'manual', // a redirect could lead anywhere: not followed
          signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
          headers: {
            'content-type': 'application/json',
            'airlock-signature': signCallback(body, settings.secret, Math.floor(Date.now() / 1000)),
            'airlock-event-id': `${input.state.actionId}:${input.state.status}`,
          },
          body,
        });
      } catch (err) {
        throw ApplicationFailure.create({ type: FailureType.CallbackUnavailable, message: `callback failed: ${(err as Error).message}` });
      }
      await response.body?.cancel();
      if (response.ok) return;
      const status = response.status;
      if (status === 408 || status === 429 || status >= 500) {
        const retryAfter = Number(response.headers.get('retry-after'));
        throw ApplicationFailure.create({
          type: FailureType.CallbackUnavailable,
          message: `callback answered HTTP ${status}`,
          ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { nextRetryDelay: `${retryAfter}s` } : {}),
        });
      }
      throw ApplicationFailure.create({ type: FailureType.CallbackRefused, message: `callback answered HTTP ${status}`, nonRetryable: true });
    },
  };
}
