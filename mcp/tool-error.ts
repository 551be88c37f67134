import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AirlockApiError } from '../client';
import { DomainErrorCode } from '../domain/errors';
import { RefusalCode } from '../domain/types';

/**
 * What a model can do about each refusal, beyond the API's own message. The MCP server reaches
 * Airlock over HTTP, so a domain error arrives as its code in the API's answer; the rest are the
 * HTTP edge's own refusals.
 */
const NEXT_STEP: Partial<Record<string, string>> = {
  [DomainErrorCode.InvalidParams]: 'Fix the named params (list_actions has each params JSON Schema) and call request_action again.',
  [DomainErrorCode.InvalidRequest]: 'Fix the named fields and call again.',
  [DomainErrorCode.UnknownAction]: 'Call list_actions for the names Airlock knows.',
  [DomainErrorCode.ActionNotFound]: 'Check the id: an agent only sees its own actions.',
  [RefusalCode.NotCancellable]: 'It can no longer be cancelled (approved, running or finished): call get_action to see where it stands.',
  [DomainErrorCode.IdempotencyKeyReused]: 'That idempotency_key was used for a different request: use a new key for a new request.',
  unauthenticated: 'The Airlock API key was refused: the MCP server is configured with a missing or unknown key.',
  forbidden: 'This principal may not do that.',
  rate_limited: 'Too many calls: wait a minute, then retry.',
  [DomainErrorCode.TemporalUnavailable]: 'Airlock is briefly unavailable: retry with the same idempotency_key.',
  [DomainErrorCode.WorkerUnavailable]: 'Airlock is briefly unavailable: retry with the same idempotency_key.',
};

/**
 * A refusal or failure as a tool result with `isError`, so the model reads and handles it, rather
 * than a protocol error that ends the call. Field problems are listed one per line by path.
 */
export function toolError(err: unknown): CallToolResult {
  if (err instanceof AirlockApiError) {
    const issues = (err.issues ?? []).map((issue) => `${issue.path}: ${issue.message}`);
    const lines = [
      `Airlock refused (${err.status} ${err.code}): ${issues.length > 0 ? issues.join('; ') : err.message}`,
      ...(NEXT_STEP[err.code] ? [NEXT_STEP[err.code] as string] : []),
    ];
    return { isError: true, content: [{ type: 'text', text: lines.join('\n') }] };
  }
  // Network failures and timeouts: the message names the cause; the API key is never part of it.
  const message = err instanceof Error ? err.message : String(err);
  return {
    isError: true,
    content: [{ type: 'text', text: `Could not reach Airlock: ${message}. Retry later; with the same idempotency_key a retried request is safe.` }],
  };
}
