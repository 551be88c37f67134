import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { metricErrors } from '../telemetry/metric-errors';

/** Counts actions waiting for review, per catalogue action; rejects when visibility cannot answer. */
export type PendingCounter = () => Promise<Map<string, number>>;

export interface ApiMetricsOptions {
  /** Catalogue names: the only values the `action` label takes (anything else is `unknown`). */
  actions: readonly string[];
  /** Read at each scrape; unset: no pending gauge. */
  pending?: PendingCounter;
  /** Process metrics (CPU, memory, event loop); tests that build many apps leave them out. */
  processMetrics?: boolean;
}

/** Outcomes are statuses and error codes of ours: short snake_case words. Anything else is one bucket. */
const OUTCOME = /^[a-z][a-z_]{0,39}$/;

/**
 * The API's series, in a registry of its own (never prom-client's global one), so each app built
 * in a process, as tests build many, counts only its own requests.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'action' | 'outcome'>;
  private readonly pendingGauge: Gauge<'action'> | undefined;
  private readonly errors: Counter<'series'>;
  private readonly refusedVotesNotRecorded: Counter<'code'>;
  private readonly known: ReadonlySet<string>;

  constructor(private readonly options: ApiMetricsOptions) {
    this.known = new Set(options.actions);
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'airlock_action_requests_total',
      help: 'POST /v1/actions by action and outcome: the status it answered (pending_review, approved, denied, evaluating, …) or the error code of a refusal',
      labelNames: ['action', 'outcome'],
      registers,
    });
    this.pendingGauge = options.pending
      ? new Gauge({
          name: 'airlock_actions_pending',
          help: 'Actions waiting for review (running workflows whose AirlockStatus is pending_review), from Temporal visibility at scrape time',
          labelNames: ['action'],
          registers,
        })
      : undefined;
    this.refusedVotesNotRecorded = new Counter({
      name: 'airlock_refused_votes_not_recorded_total',
      help: 'Refused votes not written to the audit trail, by refusal code: the reviewer already had the most allowed on record for that action (api/refused-votes.ts)',
      labelNames: ['code'],
      registers,
    });
    this.errors = metricErrors(this.registry);
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** One answered `POST /v1/actions`. Labels stay bounded whatever the caller sent. */
  recordRequest(action: unknown, outcome: string): void {
    this.requests.inc({
      action: typeof action === 'string' && this.known.has(action) ? action : 'unknown',
      outcome: OUTCOME.test(outcome) ? outcome : 'other',
    });
  }

  /** One refused vote counted instead of written (api/refused-votes.ts). Labels stay bounded whatever the code. */
  countRefusedVoteNotRecorded(code: string): void {
    this.refusedVotesNotRecorded.inc({ code: OUTCOME.test(code) ? code : 'other' });
  }

  /**
   * The exposition for one scrape. The pending count is read first, not in a gauge's `collect`:
   * the registry reads its metrics concurrently, and a failed count must show in the error
   * counter of the same scrape. A failed count leaves the gauge without samples (absent, not a
   * false zero).
   */
  async scrape(): Promise<string> {
    const gauge = this.pendingGauge;
    if (gauge && this.options.pending) {
      gauge.reset();
      try {
        const counts = await this.options.pending();
        for (const action of this.options.actions) gauge.set({ action }, counts.get(action) ?? 0);
      } catch {
        this.errors.inc({ series: 'airlock_actions_pending' });
      }
    }
    return this.registry.metrics();
  }
}
