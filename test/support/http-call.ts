/** One API response as tests read it. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  text: string;
  // The API's JSON is asserted field by field in tests; typing every response shape would add nothing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
}

/** A real HTTP request to the API at `baseUrl` as a named principal (null: no credentials). */
export type ApiCall = (as: string | null, method: 'GET' | 'POST', url: string, body?: unknown, headers?: Record<string, string>) => Promise<HttpResponse>;

/** Calls the API at `baseUrl` with the named principal's key from `keys`. */
export function apiCaller(baseUrl: string, keys: Record<string, string>): ApiCall {
  return async (as, method, url, body, headers = {}) => {
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers: {
        ...(as ? { authorization: `Bearer ${keys[as]}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      statusCode: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      text,
      json: () => JSON.parse(text),
    };
  };
}
