import { ApplicationFailure } from '@temporalio/common';
import { failureMessage, rateLimitedFailure, retryDelaySeconds } from '../../../activities/failure-mapping';
import { TeamsFailureType } from '../../../domain/failure-types';

/**
 * HTTP outcomes of the Bot Connector and token endpoint → Temporal failures. The connector never
 * retries on its own; these failures tell Temporal whether to retry, and after how long on a 429.
 * Nothing from the request (the bearer token, the client secret) ends up in a message.
 */

const MAX_MESSAGE_CHARS = 500;

/** The failure for an HTTP answer that was not a success; `what` names the call (e.g. `POST activities`). */
export function teamsHttpFailure(
  what: string,
  status: number,
  retryAfter: string | null,
  body: string,
  secrets: readonly (string | undefined)[],
  options: { now?: number; retry401?: boolean } = {},
): ApplicationFailure {
  const now = options.now ?? Date.now();
  if (status === 429) return rateLimitedFailure(TeamsFailureType.RateLimited, what, 'Teams', retryAfterSeconds(retryAfter, now));
  const message = failureMessage(`${what} failed: HTTP ${status}${errorDetail(body)}`, secrets, MAX_MESSAGE_CHARS);
  // A connector 401 after a token was revoked: the connector drops its cached token, so a retry fetches a new one.
  if (status >= 500 || status === 408 || (status === 401 && options.retry401))
    return ApplicationFailure.create({ type: TeamsFailureType.Unavailable, message });
  return ApplicationFailure.create({ type: TeamsFailureType.Permanent, message, nonRetryable: true });
}

/** The failure for a call that got no answer (refused, DNS, TLS, timeout): retryable. */
export function teamsNetworkFailure(what: string, err: unknown, secrets: readonly (string | undefined)[]): ApplicationFailure {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return ApplicationFailure.create({ type: TeamsFailureType.Unavailable, message: failureMessage(`${what} failed: ${text}`, secrets, MAX_MESSAGE_CHARS) });
}

/** Retry-After as whole seconds, at least 1 (0 would retry at once): delta-seconds or an HTTP date. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return retryDelaySeconds(Number(trimmed));
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : retryDelaySeconds((at - now) / 1000);
}

/** The Bot Connector's `{ error: { code, message } }`, or the token endpoint's `{ error, error_description }`. */
function errorDetail(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!parsed || typeof parsed !== 'object') return '';
    const error = (parsed as { error?: unknown }).error;
    if (typeof error === 'string') {
      const description = (parsed as { error_description?: unknown }).error_description;
      return ` (${error}${typeof description === 'string' ? `: ${firstLine(description)}` : ''})`;
    }
    if (error && typeof error === 'object') {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return ` (${[code, message]
        .filter((part): part is string => typeof part === 'string')
        .map(firstLine)
        .join(': ')})`;
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status says enough.
  }
  return '';
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
