import type { FastifyInstance } from 'fastify';

/**
 * The methods registered for each path, so a request Fastify finds no route for can be told apart:
 * a path that exists with other methods is `405` with `Allow`, any other `404`. Collected by an
 * `onRoute` hook on the root instance, which sees every route registered after it.
 */
export class AllowedMethods {
  private readonly byUrl = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      const entry = this.byUrl.get(route.url) ?? { pattern: urlPattern(route.url), methods: new Set<string>() };
      for (const method of [route.method].flat()) entry.methods.add(method.toUpperCase());
      this.byUrl.set(route.url, entry);
    });
  }

  /** The methods the request's path has, sorted; none when no route has the path. */
  of(url: string): string[] {
    const path = url.split('?', 1)[0] ?? '';
    const methods = new Set<string>();
    for (const { pattern, methods: registered } of this.byUrl.values()) {
      if (pattern.test(path)) registered.forEach((method) => methods.add(method));
    }
    return [...methods].sort();
  }
}

/** `/v1/actions/:id` matches `/v1/actions/<one segment>`; a trailing `*` (static assets) matches the rest. */
function urlPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}
