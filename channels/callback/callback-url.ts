import { effectivePort, parseCallbackTarget, targetAllows, type CallbackTarget } from '../../config/callback-targets';
import { httpsUrl } from '../../net/https-url';

/**
 * Callback URLs come from agents, and Airlock's workers POST to them: an open door to internal
 * services (SSRF) unless the host and port are on an operator's allow-list
 * (config/callback-targets.ts). https only, except loopback (local development and tests). No
 * credentials in the URL. The API checks it before starting an action, the worker again before
 * each POST, since the list may have changed in between.
 */
export function callbackUrlProblem(raw: string, allowedHosts: readonly string[]): string | undefined {
  const checked = httpsUrl(raw);
  if ('problem' in checked) return checked.problem;
  const { url } = checked;
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
