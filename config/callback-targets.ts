/**
 * The entries of AIRLOCK_CALLBACK_ALLOWED_HOSTS. An entry names a host and a port, so allowing an
 * agent's receiver never opens every other service on that host to the worker's POSTs:
 *
 * - `host:port` (`agents.example.com:8443`, `127.0.0.1:4000`, `[::1]:4000`): that port, for any
 *   scheme a callback may use (https; plain http on loopback only);
 * - `scheme://host:port` (`https://agents.example.com:8443`): that scheme and port only;
 * - `host` or `scheme://host`: the scheme's default port only, 443 for https and 80 for plain http
 *   (which only loopback may use).
 */

/** One parsed entry. Hosts are compared in the WHATWG URL form: lower case, IPv6 in brackets. */
export interface CallbackTarget {
  hostname: string;
  /** Unset: any scheme a callback may use. */
  scheme?: 'https:' | 'http:';
  /** Unset: the default port of the callback URL's scheme. */
  port?: number;
}

export type ParsedCallbackTarget = { ok: true; target: CallbackTarget } | { ok: false; problem: string };

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'https:': 443, 'http:': 80 };

/** `host`, `host:port` or `[v6]:port`; the host part is checked by the URL parser below. */
const HOST_AND_PORT = /^(\[[^\]]*\]|[^:/?#@[\]\s]+)(?::(\d{1,5}))?$/;

/** Parses one entry of AIRLOCK_CALLBACK_ALLOWED_HOSTS; a problem says what is wrong with it. */
export function parseCallbackTarget(entry: string): ParsedCallbackTarget {
  const text = entry.trim();
  if (text.includes('://')) return parseWithScheme(text);
  const parts = HOST_AND_PORT.exec(text);
  if (!parts) {
    return { ok: false, problem: `"${text}" is not host, host:port or scheme://host:port (IPv6 addresses go in brackets: [::1]:4000)` };
  }
  const hostname = canonicalHost(parts[1] ?? '');
  if (!hostname) return { ok: false, problem: `"${text}" does not name a valid host` };
  if (parts[2] === undefined) return { ok: true, target: { hostname } };
  const port = Number(parts[2]);
  if (port < 1 || port > 65535) return { ok: false, problem: `"${text}": the port must be 1-65535` };
  return { ok: true, target: { hostname, port } };
}

/** The port a URL connects to: its own, or its scheme's default. Undefined for schemes callbacks never use. */
export function effectivePort(url: URL): number | undefined {
  return url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol];
}

/** Whether a callback URL is one the entry allows: same host, same port, and the entry's scheme if it names one. */
export function targetAllows(target: CallbackTarget, url: URL): boolean {
  if (target.hostname !== url.hostname) return false;
  if (target.scheme && target.scheme !== url.protocol) return false;
  const port = effectivePort(url);
  return port !== undefined && (target.port ?? DEFAULT_PORTS[url.protocol]) === port;
}

function parseWithScheme(text: string): ParsedCallbackTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: `"${text}" is not a valid scheme://host:port` };
  }
  const scheme = url.protocol === 'https:' || url.protocol === 'http:' ? url.protocol : undefined;
  if (!scheme) return { ok: false, problem: `"${text}": the scheme must be https or http` };
  // An entry allows a host and port; a path here would read as a restriction Airlock does not make.
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
    return { ok: false, problem: `"${text}" must be scheme://host:port with nothing after the port` };
  }
  const port = effectivePort(url);
  if (port === undefined) return { ok: false, problem: `"${text}" has no port` };
  return { ok: true, target: { hostname: url.hostname, scheme, port } };
}

/** The host as the URL parser writes it, so `LOCALHOST`, `0x7f.1` and `127.0.0.1` compare as URLs do. */
function canonicalHost(host: string): string | undefined {
  try {
    const url = new URL(`https://${host}/`);
    return url.hostname || undefined;
  } catch {
    return undefined;
  }
}
