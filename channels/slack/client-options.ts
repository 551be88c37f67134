import type { Logger, LogLevel, WebClientOptions } from '@slack/web-api';

/** How Airlock reaches Slack's Web API. */
export interface SlackSettings {
  /** Bot token (`xoxb-…`). */
  botToken: string;
  /** Web API base URL; unset for Slack itself. Tests point it at a local double. */
  apiUrl?: string;
}

/** Per HTTP call; shorter than the Slack activities' start-to-close timeout, so an attempt fails cleanly. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Options for a WebClient that never retries behind Temporal's back: a 429 is rejected at once
 * with its Retry-After (see slack-errors.ts), and every other failure is one attempt. Types only
 * from `@slack/web-api` (its `LogLevel.ERROR` comes from the caller), so the worker can load the
 * library on first use (lazy-client.ts).
 */
export function slackClientOptions(settings: SlackSettings, errorLevel: LogLevel): WebClientOptions {
  return {
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: REQUEST_TIMEOUT_MS,
    // The original axios error carries the request config, Authorization header included.
    attachOriginalToWebAPIRequestError: false,
    logger: quietLogger(errorLevel),
  };
}

/**
 * Discards the client's own logging: every failure it would warn about is thrown, mapped by
 * toSlackFailure and recorded by Temporal, so logging it here too would only repeat it.
 */
function quietLogger(initial: LogLevel): Logger {
  let level = initial;
  const discard = (): void => undefined;
  return {
    debug: discard,
    info: discard,
    warn: discard,
    error: discard,
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: discard,
  };
}
