import { AirlockApiError, errorFromResponse } from './errors';

/** One HTTP call to the API. */
export interface HttpCall {
  method: 'GET' | 'POST';
  /** From the base URL on, e.g. `/v1/actions`. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The caller's own cancellation; never retried. */
  signal?: AbortSignal;
}

export interface HttpSettings {
  baseUrl: string;
  apiKey: string;
  /** Per attempt. */
  timeoutMs: number;
  fetch: typeof fetch;
}

/** Attempts per call: the first, and up to three retries. */
const ATTEMPTS = 4;
const FIRST_RETRY_DELAY_MS = 500;

/**
 * Sends a call and parses its JSON answer; a non-2xx answer is an `AirlockApiError`. A `503` or a
 * network failure (the per-attempt timeout included) is retried a few times with backoff. That is
 * safe because the client's POSTs always carry an `Idempotency-Key`, which the retry repeats: the
 * API then does what was asked once.
 */
export async function send<T>(settings: HttpSettings, call: HttpCall): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendOnce<T>(settings, call);
    } catch (err) {
      if (attempt >= ATTEMPTS || !retryable(err, call.signal)) throw err;
    }
    // Full jitter, so clients refused together do not come back together.
    await sleep(FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1) * (0.5 + Math.random() / 2), call.signal);
  }
}

async function sendOnce<T>(settings: HttpSettings, call: HttpCall): Promise<T> {
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
  const response = await settings.fetch(`${settings.baseUrl}${call.path}`, {
    method: call.method,
    headers: {
      authorization: `Bearer ${settings.apiKey}`,
      accept: 'application/json',
      ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...call.headers,
    },
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    signal,
  });
  const text = await response.text();
  if (!response.ok) throw errorFromResponse(response.status, text);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new AirlockApiError(response.status, 'unexpected_response', `HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** A 503, or no answer at all (a network error, the attempt's timeout) unless the caller cancelled. */
function retryable(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return false;
  if (err instanceof AirlockApiError) return err.status === 503;
  return true;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
