import type { CookieSerializeOptions } from '@fastify/cookie';

/**
 * The console's cookies. All httpOnly (no script reads them), Secure when the console is served over
 * https (then the session cookie takes the `__Host-` prefix: no Domain, Path=/, never set by a
 * sibling host). Over plain http (loopback development) browsers would drop Secure cookies.
 */
export interface ConsoleCookies {
  session: { name: string; options: CookieSerializeOptions };
  login: { name: string; options: CookieSerializeOptions };
  csrf: { name: string; options: CookieSerializeOptions };
}

export function consoleCookies(secure: boolean, sessionTtlMs: number): ConsoleCookies {
  const base = { httpOnly: true, secure } as const;
  return {
    // Lax: a link from an email or a chat message opens the console signed in; state changes need the CSRF token too.
    session: {
      name: secure ? '__Host-airlock_console' : 'airlock_console',
      options: { ...base, sameSite: 'lax', path: '/', maxAge: Math.floor(sessionTtlMs / 1000) },
    },
    // Lax: the provider sends the browser back with a cross-site top-level GET, which must carry it.
    login: { name: 'airlock_console_login', options: { ...base, sameSite: 'lax', path: '/console/callback', maxAge: 600 } },
    // Strict: only the console's own pages ever submit it.
    csrf: { name: 'airlock_console_csrf', options: { ...base, sameSite: 'strict', path: '/console', signed: true } },
  };
}

/** `path` when it is a console page to return to after sign-in; never another site (`//evil`, `/\\evil`) or outside /console (`/console/../v1`). */
export function safeReturnPath(path: unknown): string {
  const fallback = '/console';
  if (typeof path !== 'string' || path.length > 2048 || !path.startsWith('/') || /[\\\x00-\x1f\x7f]/.test(path)) return fallback;
  // Resolved as a browser resolves it (dot segments, encoded dots): what it names must still be on this origin, under /console.
  const base = 'http://console.invalid';
  const resolved = new URL(path, base);
  if (resolved.origin !== base || !/^\/console(?:\/|$)/.test(resolved.pathname) || resolved.pathname.includes('//')) return fallback;
  return `${resolved.pathname}${resolved.search}`;
}
