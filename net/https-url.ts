/** Hosts that never leave this machine: plain http to them crosses no network. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A URL Airlock may send to or trust keys from: absolute, without credentials in it, and https
 * (plain http only on loopback, for development and tests), since over plain http anyone on the
 * path could read or answer the request. The URL, or what is wrong with it.
 */
export function httpsUrl(raw: string): { url: URL; loopback: boolean } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'must be an absolute URL' };
  }
  if (url.username || url.password) return { problem: 'must not contain credentials' };
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return { problem: 'must use https (http on loopback only)' };
  return { url, loopback };
}
