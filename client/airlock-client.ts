import { randomUUID } from 'node:crypto';
import { send, sleep, type HttpCall, type HttpSettings } from './http';
import { isTerminal } from './status';
import type { ActionRequest, ActionView, CatalogueEntry } from './types';

export interface AirlockClientOptions {
  /** The API, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** The agent's API key (`alk_…`): who the agent is, for policy and the audit trail. */
  apiKey: string;
  /** per HTTP call, default 70 s */
  timeoutMs?: number;
  /** Another fetch (a proxy's, a test's); default Node's own. */
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 70_000;
const DEFAULT_WAIT_SECONDS = 300;
/**
 * The longest single long poll: under the 30 s that load balancers and proxies commonly allow an
 * idle request, although the API accepts up to 60.
 */
const LONGEST_POLL_SECONDS = 25;
/** What the API may take beyond the wait itself (reading the action once it is over). */
const READ_ALLOWANCE_SECONDS = 15;
/** Between long polls that came back early (an API shutting down): never ask again faster than this. */
const MIN_POLL_INTERVAL_MS = 1000;

/** The Airlock HTTP API for agents: ask for an action, wait for its outcome, cancel it (docs/client.md). */
export class AirlockClient {
  private readonly http: HttpSettings;
  /** Each long poll's `waitSeconds`, so that it ends well within the per-call timeout. */
  private readonly longestPollSeconds: number;

  constructor(options: AirlockClientOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.http = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      apiKey: options.apiKey,
      timeoutMs,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    };
    this.longestPollSeconds = Math.max(1, Math.min(LONGEST_POLL_SECONDS, Math.floor(timeoutMs / 1000) - READ_ALLOWANCE_SECONDS));
  }

  /** The operations this agent may ask for, each with its params' JSON Schema and whether its requests get reviewed. */
  async listActions(): Promise<CatalogueEntry[]> {
    return (await this.send<{ items: CatalogueEntry[] }>({ method: 'GET', path: '/v1/catalogue' })).items;
  }

  /**
   * Asks for one action; answers once policy has decided (`pending_review`, `denied`, `approved`,
   * …, or `evaluating` when no worker answered in time). Without an `idempotencyKey` one is made
   * up, so the retries of this call (after a `503` or a network error) make the request once. Pass
   * your own to make retries of your own (after a crash, say) safe too.
   */
  async request(input: ActionRequest, options: { idempotencyKey?: string } = {}): Promise<ActionView> {
    return this.send<ActionView>({
      method: 'POST',
      path: '/v1/actions',
      headers: { 'idempotency-key': options.idempotencyKey ?? randomUUID() },
      body: {
        action: input.action,
        params: input.params,
        justification: input.justification,
        ...(input.context ? { context: input.context } : {}),
        ...(input.callbackUrl ? { callbackUrl: input.callbackUrl } : {}),
      },
    });
  }

  /** The action now. */
  async get(id: string): Promise<ActionView> {
    return this.read(id, 0);
  }

  /**
   * Waits until the action reaches its outcome or `timeoutSeconds` (default 300) pass, on the API's
   * long poll (no polling loop); returns the latest view either way: still `pending_review` after
   * the timeout is a normal answer. Aborting `signal` rejects with its reason.
   */
  async waitForOutcome(id: string, options: { timeoutSeconds?: number; signal?: AbortSignal } = {}): Promise<ActionView> {
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_WAIT_SECONDS;
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw new RangeError(`timeoutSeconds must be 0 or more, not ${timeoutSeconds}`);
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const started = Date.now();
      const waitSeconds = Math.max(0, Math.min(this.longestPollSeconds, Math.ceil((deadline - started) / 1000)));
      const view = await this.read(id, waitSeconds, options.signal);
      const now = Date.now();
      if (isTerminal(view) || now >= deadline) return view;
      if (now - started < MIN_POLL_INTERVAL_MS) await sleep(Math.min(MIN_POLL_INTERVAL_MS - (now - started), deadline - now), options.signal);
    }
  }

  /** Cancels a pending action (the requester's own). A retry with the same key returns the first cancel's answer. */
  async cancel(id: string, options: { reason?: string; idempotencyKey?: string } = {}): Promise<ActionView> {
    return this.send<ActionView>({
      method: 'POST',
      path: `${actionPath(id)}/cancel`,
      headers: { 'idempotency-key': options.idempotencyKey ?? randomUUID() },
      body: options.reason ? { reason: options.reason } : {},
    });
  }

  private read(id: string, waitSeconds: number, signal?: AbortSignal): Promise<ActionView> {
    return this.send<ActionView>({
      method: 'GET',
      path: `${actionPath(id)}${waitSeconds > 0 ? `?waitSeconds=${waitSeconds}` : ''}`,
      ...(signal ? { signal } : {}),
    });
  }

  private send<T>(call: HttpCall): Promise<T> {
    return send<T>(this.http, call);
  }
}

function actionPath(id: string): string {
  return `/v1/actions/${encodeURIComponent(id)}`;
}
