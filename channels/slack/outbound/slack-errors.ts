import type { ErrorCode } from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';
import { failureMessage, isProgrammingError, rateLimitedFailure, retryDelaySeconds } from '../../../activities/failure-mapping';
import { FailureType, SlackFailureType } from '../../../domain/failure-types';

/**
 * WebClient errors → Temporal failures. The client runs with `rejectRateLimitedCalls` and no
 * retries of its own, so every error reaches here on the first attempt and Temporal decides what
 * happens next. The WebClient error never crosses: its properties hold the response headers and,
 * for request errors, the request config with the `Authorization` header.
 */

/**
 * The client's error codes, as values: `@slack/web-api` is imported for types only, so a worker
 * that never posts to Slack never loads it (channels/slack/outbound/activities.ts).
 */
const SlackErrorCode = {
  RequestError: 'slack_webapi_request_error',
  HTTPError: 'slack_webapi_http_error',
  PlatformError: 'slack_webapi_platform_error',
  RateLimitedError: 'slack_webapi_rate_limited_error',
} as const satisfies { [K in keyof typeof ErrorCode]?: `${(typeof ErrorCode)[K]}` };

/**
 * Platform errors (`ok: false`) that a later attempt can pass. Every other platform error is about
 * this request, this channel or this token (channel_not_found, not_in_channel, is_archived,
 * invalid_auth, account_inactive, token_revoked, no_permission, missing_scope, msg_too_long,
 * invalid_blocks, message_not_found, cant_update_message, edit_window_closed, ...) and is permanent.
 */
const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** Platform errors that mean "slow down" (answered with HTTP 200 rather than 429). */
const RATE_LIMIT_PLATFORM_ERRORS = new Set(['ratelimited', 'rate_limited']);

const MAX_MESSAGE_CHARS = 500;

interface SlackErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  /** Rate-limited errors: seconds from the Retry-After header. */
  retryAfter?: unknown;
  /** HTTP errors. */
  statusCode?: unknown;
  /** Platform errors: the `ok: false` body. */
  data?: {
    error?: unknown;
    needed?: unknown;
    response_metadata?: { messages?: unknown; retryAfter?: unknown };
  };
}

/**
 * The failure a Slack activity throws for an error from `method` (e.g. `chat.postMessage`). The
 * message names the method and the Slack error code (or HTTP status), with every `secrets` value
 * (the bot token) removed. No cause, no details.
 */
export function toSlackFailure(err: unknown, method: string, secrets: readonly (string | undefined)[] = []): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const e: SlackErrorShape = err && typeof err === 'object' ? (err as SlackErrorShape) : {};
  const clean = (text: string): string => failureMessage(text, secrets, MAX_MESSAGE_CHARS);

  switch (e.code) {
    case SlackErrorCode.RateLimitedError:
      return rateLimited(method, seconds(e.retryAfter));

    case SlackErrorCode.PlatformError: {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      if (RATE_LIMIT_PLATFORM_ERRORS.has(code)) return rateLimited(method, seconds(e.data?.response_metadata?.retryAfter));
      const message = clean(`${method} failed: Slack error ${code}${platformDetail(e.data)}`);
      if (TRANSIENT_PLATFORM_ERRORS.has(code)) return ApplicationFailure.create({ type: SlackFailureType.Unavailable, message });
      return ApplicationFailure.create({ type: SlackFailureType.Permanent, message, nonRetryable: true });
    }

    case SlackErrorCode.HTTPError: {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      const message = `${method} failed: Slack answered HTTP ${status}`;
      if (status >= 500 || status === 408) return ApplicationFailure.create({ type: SlackFailureType.Unavailable, message });
      // Slack answers only 200 and 429; anything else is a wrong API URL or a proxy in the way.
      return ApplicationFailure.create({ type: SlackFailureType.Permanent, message, nonRetryable: true });
    }

    case SlackErrorCode.RequestError:
      // No response: refused connection, DNS, TLS, or the client's timeout.
      return ApplicationFailure.create({
        type: SlackFailureType.Unavailable,
        message: clean(`${method} failed: ${typeof e.message === 'string' ? e.message : 'request error'}`),
      });

    default: {
      const text = typeof e.message === 'string' ? e.message : String(err);
      // A 429 whose Retry-After could not be parsed surfaces as a plain Error from the client.
      if (/rate.?limit|retry header/i.test(text)) return rateLimited(method, undefined);
      const name = typeof e.name === 'string' ? e.name : FailureType.Unnamed;
      return ApplicationFailure.create({
        type: SlackFailureType.Unavailable,
        message: clean(`${method} failed: ${text}`),
        nonRetryable: isProgrammingError(name),
      });
    }
  }
}

function rateLimited(method: string, retryAfterSeconds: number | undefined): ApplicationFailure {
  return rateLimitedFailure(SlackFailureType.RateLimited, method, 'Slack', retryAfterSeconds);
}

/** The client's Retry-After (a number of seconds) as the retry's delay; undefined when it is not one. */
function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? retryDelaySeconds(value) : undefined;
}

/** What Slack says beyond the code: the missing scope, or the first validation messages (invalid_blocks). */
function platformDetail(data: SlackErrorShape['data']): string {
  const parts: string[] = [];
  if (typeof data?.needed === 'string') parts.push(`needed: ${data.needed}`);
  const messages = data?.response_metadata?.messages;
  if (Array.isArray(messages)) {
    parts.push(...messages.filter((message): message is string => typeof message === 'string').slice(0, 3));
  }
  return parts.length ? ` (${parts.join('; ')})` : '';
}
