/**
 * Callback URLs come from agents, and Airlock's workers POST to them: an open door to internal
 * services (SSRF) unless the host is on an operator's allow-list. https only, except loopback
 * (local development and tests). No credentials in the URL.
 */
export function callbackUrlProblem(raw: string, allowedHosts: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return 'must use https';
  if (!allowedHosts.includes(url.hostname.toLowerCase())) {
    return allowedHosts.length === 0
      ? 'callbacks are not enabled on this Airlock (AIRLOCK_CALLBACK_ALLOWED_HOSTS is empty)'
      : `host ${url.hostname} is not in AIRLOCK_CALLBACK_ALLOWED_HOSTS`;
  }
  return undefined;
}
