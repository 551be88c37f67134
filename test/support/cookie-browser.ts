/**
 * Just enough of a browser for sign-in flows without Chromium: a cookie jar per origin, redirects
 * followed by hand (so each hop's cookies are kept), forms posted as a browser posts them.
 */
export class CookieBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  /** Fetches `url` (a form POST when `form` is given) and follows redirects until a page answers, or `stopAt` is reached (returned unfetched). */
  async follow(
    url: string,
    options: { form?: URLSearchParams; stopAt?: string; headers?: Record<string, string> } = {},
  ): Promise<{ url: string; status: number; text(): Promise<string> }> {
    let next = url;
    let body = options.form;
    for (let hops = 0; hops < 15; hops++) {
      if (options.stopAt && next.startsWith(options.stopAt)) return { url: next, status: 0, text: async () => '' };
      const response = await fetch(next, {
        method: body ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          accept: 'text/html',
          cookie: this.cookieHeader(next),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...options.headers,
        },
        ...(body ? { body: body.toString() } : {}),
      });
      this.keep(next, response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url: next, status: response.status, text: () => response.text() };
      next = new URL(location, next).href;
      body = undefined;
    }
    throw new Error('too many redirects');
  }

  /** The `Cookie` header this browser sends to `url`'s origin. */
  cookieHeader(url: string): string {
    return [...(this.jars.get(new URL(url).origin) ?? [])].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  cookie(url: string, name: string): string | undefined {
    return this.jars.get(new URL(url).origin)?.get(name);
  }

  /** Forgets one cookie (a session that ended, say). */
  drop(url: string, name: string): void {
    this.jars.get(new URL(url).origin)?.delete(name);
  }

  private keep(url: string, setCookies: string[]): void {
    const origin = new URL(url).origin;
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    for (const cookie of setCookies) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
      // A cleared cookie comes back empty with an expiry in the past.
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie) || /max-age=0\b/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
  }
}

/** Signs in at the dev provider's login page (any password), from wherever `start` leads; returns the page it ends on. */
export async function devSignIn(browser: CookieBrowser, start: string, login: string): Promise<{ url: string; status: number; text(): Promise<string> }> {
  const loginPage = await browser.follow(start);
  const form = await loginPage.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(form)?.[1];
  if (!action) throw new Error(`no login form at ${loginPage.url} (${loginPage.status}): ${form.slice(0, 300)}`);
  return browser.follow(new URL(action, loginPage.url).href, { form: new URLSearchParams({ prompt: 'login', login, password: 'anything' }) });
}
