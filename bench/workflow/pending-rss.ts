import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { ActionsService } from '../../api/actions-service';
import { openAuditLog } from '../../audit/open-store';
import { StatusAttribute } from '../../workflows/search-attributes';
import { ActionStatus } from '../../domain/types';
import type { BenchServers, TemporalStore } from '../lib/bench-servers';
import { cpuMsPer, cpuTimes, type CpuTimes } from '../lib/cpu-time';
import { sleep, withDeadline } from '../lib/deadline';
import { benchSigner } from '../lib/bench-identity';
import { benchCatalogue } from '../lib/noop-operation';
import { runPool } from '../lib/pool';
import { startWorkerProcess } from '../lib/worker-process';
import type { WorkerMemory } from '../lib/worker-protocol';

export interface PendingRssOptions {
  /** How many actions to leave pending review. */
  target: number;
  /** No new submission after this long: the part stays bounded on a busy machine. */
  budgetSeconds: number;
  /** Submissions in flight. */
  concurrency: number;
  /** Read the worker's memory each time this many more actions are pending. */
  sampleEvery: number;
}

/** The worker's memory with `pending` actions pending review (read while starting more). */
export interface RssSample {
  pending: number;
  rss: number;
  cachedWorkflows: number;
}

export interface PendingRssResult extends PendingRssOptions {
  /** `privilegedAction` workflows left in pending_review (all of `target` unless the budget ran out). */
  pending: number;
  /** From the first submission until the last was admitted (pending_review). */
  startSeconds: number;
  startsPerSecond: number;
  /** The child worker polling, before any action (as found, unless `rssRead` is absent). */
  before: WorkerMemory;
  /** With every action pending review, settled (as found, unless `rssRead` is absent). */
  after: WorkerMemory;
  /** Then, after a forced GC of the worker's main heap (absent in older records). */
  afterGc?: WorkerMemory;
  /**
   * How `before`, `after` and the ramp were read. Absent in older records (the 100,000 run of
   * 2026-12-05 among them), which read every figure after a forced GC of the main heap (the GCs of
   * the ramp's readings, every `sampleEvery` actions, also kept the garbage down between them).
   */
  rssRead?: 'as-found';
  /** (after − before) RSS ÷ pending. */
  bytesPerAction: number;
  /** RSS as the count grew, with `before` as the first point. */
  ramp: RssSample[];
  /** Least-squares slope of the ramp: bytes of RSS per further pending (and cached) action. */
  slopeBytesPerAction: number;
  /** CPU milliseconds per action started, by process (`self`: the client), over the starts. */
  cpuMsPerAction: CpuTimes;
  /** Where the dev server kept its state (absent in older records: in memory). */
  temporalStore?: TemporalStore;
}

const TASK_QUEUE = 'airlock-bench-pending';
const SETTLE_MS = 2_000;
/** Far above any admission here: an action answered `evaluating` would not be pending yet. */
const ADMISSION_TIMEOUT_MS = 120_000;

/**
 * Worker RSS with actions pending review. The worker is a child process running Airlock's worker
 * with its default options; the actions are real `privilegedAction` workflows, started through
 * ActionsService.submit (what `POST /v1/actions` runs, minus HTTP) `concurrency` at a time, each
 * answered once policy has put it in pending_review. Visibility then confirms the count before
 * the last reading. RSS is read as found, what a container's limit counts: a forced GC at each
 * reading would hide the garbage the worker keeps between its own collections (on 2026-12-05, 10,000
 * pending read 282 MiB that way, and 386 MiB as found with the main heap unbounded). Only the last
 * reading is taken again after one, for comparison.
 */
export async function measurePendingRss(
  servers: BenchServers,
  files: { bundleFile: string; auditUrl: string },
  options: PendingRssOptions,
): Promise<PendingRssResult> {
  const worker = await startWorkerProcess({ temporalAddress: servers.temporalAddress, taskQueue: TASK_QUEUE, aws: servers.aws, ...files });
  const connection = await Connection.connect({ address: servers.temporalAddress });
  const audit = await openAuditLog(files.auditUrl); // the service records refused votes there; none happen here
  try {
    const client = new Client({ connection, namespace: 'default' });
    await sleep(SETTLE_MS);
    const before = await worker.memory();
    const ramp: RssSample[] = [{ pending: 0, rss: before.rss, cachedWorkflows: before.cachedWorkflows }];

    const actions = new ActionsService(client, benchCatalogue(), TASK_QUEUE, audit, benchSigner(), ADMISSION_TIMEOUT_MS);
    const watched = { temporal: servers.pids.temporal, moto: servers.pids.moto, worker: worker.pid };
    const cpuBefore = cpuTimes(watched);
    const started = performance.now();
    const budgetEnd = started + options.budgetSeconds * 1000;
    let admitted = 0;
    const submitOne = async (index: number): Promise<void> => {
      const { state } = await actions.submit({
        action: 'bench.noop',
        params: { run: `pending-${index}` },
        justification: 'Benchmark: worker memory with actions pending review',
        requester: { id: 'bench-agent', source: 'api' },
      });
      if (state.status !== ActionStatus.PendingReview) throw new Error(`${state.actionId} was admitted as ${state.status}`);
      admitted += 1;
      if (admitted % options.sampleEvery === 0) {
        const { rss, cachedWorkflows } = await worker.memory();
        ramp.push({ pending: admitted, rss, cachedWorkflows });
      }
    };
    const submitted = runPool(options.target, options.concurrency, submitOne, () => performance.now() > budgetEnd);
    const pending = await withDeadline(submitted, (options.budgetSeconds + 120) * 1000, 'starting the pending actions');
    const startSeconds = (performance.now() - started) / 1000;
    const cpuMsPerAction = cpuMsPer(cpuBefore, cpuTimes(watched), pending);
    await withDeadline(allVisible(client, pending), 60_000, 'visibility of the pending actions');

    await sleep(SETTLE_MS);
    const after = await worker.memory();
    const afterGc = await worker.memory({ afterGc: true });
    if (ramp.at(-1)?.pending !== pending) ramp.push({ pending, rss: after.rss, cachedWorkflows: after.cachedWorkflows });
    return {
      ...options,
      pending,
      startSeconds,
      startsPerSecond: pending / startSeconds,
      before,
      after,
      afterGc,
      rssRead: 'as-found',
      bytesPerAction: (after.rss - before.rss) / pending,
      ramp,
      slopeBytesPerAction: slope(ramp.map((sample) => [sample.pending, sample.rss])),
      cpuMsPerAction,
      temporalStore: servers.temporalStore,
    };
  } finally {
    await worker.stop();
    await connection.close();
    await audit.close();
  }
}

/** Polls visibility until it counts `expected` actions of this task queue in pending_review. */
async function allVisible(client: Client, expected: number): Promise<void> {
  const query = `TaskQueue = '${TASK_QUEUE}' AND ${StatusAttribute.name} = '${ActionStatus.PendingReview}'`;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count === expected) return;
    if (count > expected) throw new Error(`visibility counts ${count} pending actions, expected ${expected}`);
    await sleep(250);
  }
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return variance === 0 ? Number.NaN : covariance / variance;
}
