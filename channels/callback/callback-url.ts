import { effectivePort, parseCallbackTarget, targetAllows, type CallbackTarget } from '../../config/callback-targets';

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Callback URLs come from agents, and Airlock's workers POST to them: an open door to internal
 * services (SSRF) unless the host and port are on an operator's allow-list
 * (config/callback-targets.ts). https only, except loopback (local development and tests). No
 * credentials in the URL. The API checks it before starting an action, the worker again before
 * each POST, since the list may have changed in between.
 */
export function callbackUrlProblem(raw: string, allowedHosts: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return 'must use https';
  if (allowedHosts.length === 0) return 'callbacks are not enabled on this Airlock (AIRLOCK_CALLBACK_ALLOWED_HOSTS is empty)';
  if (!allowedTargets(allowedHosts).some((target) => targetAllows(target, url))) {
    return `${url.hostname}:${effectivePort(url) ?? ''} is not in AIRLOCK_CALLBACK_ALLOWED_HOSTS`;
  }
  return undefined;
}

/** Config validation refuses bad entries at start; one that got here anyway allows nothing. */
function allowedTargets(entries: readonly string[]): CallbackTarget[] {
  return entries.flatMap((entry) => {
    const parsed = parseCallbackTarget(entry);
    return parsed.ok ? [parsed.target] : [];
  });
}
