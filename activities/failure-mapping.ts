import { ApplicationFailure } from '@temporalio/common';

/**
 * What every activity's error → ApplicationFailure mapping shares (AWS: aws-errors.ts; Slack and
 * Teams: their channel's outbound/*-errors.ts). A failure's message lands in workflow history,
 * so it carries no secret and has a bounded length; a bug in our own code is never retried; a
 * service's Retry-After replaces Temporal's backoff for the one retry it asks for.
 */

/** Errors from our own code: retrying the same input hits the same bug. */
const PROGRAMMING_ERRORS: ReadonlySet<string> = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

/** Whether an error of this name comes from our own code, so no retry can pass it. */
export function isProgrammingError(name: string): boolean {
  return PROGRAMMING_ERRORS.has(name);
}

/** Every occurrence of each secret replaced; short strings are skipped so nothing ordinary is mangled. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** `text` cut to `max` characters, marked with an ellipsis when it was cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A message fit for history: every secret removed first (a cut could split one), then bounded. */
export function failureMessage(text: string, secrets: readonly (string | undefined)[], max: number): string {
  return truncate(redact(text, secrets), max);
}

/** A Retry-After in seconds as whole seconds, at least 1 (0 would make Temporal retry at once). */
export function retryDelaySeconds(seconds: number): number {
  return Math.max(1, Math.ceil(seconds));
}

/**
 * The retryable failure for a call the service rate-limited (`what` names the call, `service` the
 * service): with the service's Retry-After, when it gave one, as the delay before the next attempt.
 */
export function rateLimitedFailure(type: string, what: string, service: string, retryAfterSeconds: number | undefined): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message: `${what} was rate-limited by ${service}${retryAfterSeconds !== undefined ? `; retry after ${retryAfterSeconds}s` : ''}`,
    ...(retryAfterSeconds !== undefined ? { nextRetryDelay: `${retryAfterSeconds}s` } : {}),
  });
}
