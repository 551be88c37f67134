import { httpsUrl } from '../net/https-url';

/**
 * AIRLOCK_CONSOLE_URL, the public base URL browsers reach the API and its console at, as channel
 * messages use it: its origin (`https://airlock.example.com`), or what is wrong with it. https, or
 * plain http on loopback for development (net/https-url.ts). A path other than `/` is refused rather
 * than dropped: the console is served at `/console` of the API, and a link that silently lost the
 * prefix a reverse proxy needs would lead reviewers nowhere.
 */
export function consoleBaseUrl(raw: string): { url: string } | { problem: string } {
  const checked = httpsUrl(raw);
  if ('problem' in checked) return checked;
  const { url } = checked;
  if (url.pathname !== '/') return { problem: 'must be a base URL without a path, such as https://airlock.example.com (links add /console/actions/<id>)' };
  if (url.search || url.hash) return { problem: 'must be a base URL without a query or fragment' };
  return { url: url.origin };
}
