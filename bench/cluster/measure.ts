import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { ActionStatus, type ActionState } from '../../domain/types';
import { readDevKey } from '../../scripts/lib/dev-principals';
import type { LocalCluster } from '../../scripts/lib/local-cluster';
import { DEMO_OBJECT } from '../../scripts/lib/seed-demo-aws';
import { withDeadline } from '../lib/deadline';
import { percentiles, type Percentiles } from '../lib/stats';

/** Auto-allowed copies through both APIs, `concurrency` lanes, counted over a window after a warm-up. */
export const THROUGHPUT = { concurrency: 8, warmupSeconds: 5, seconds: 20 };
/** Reviewed copies approved one at a time: request, then time the vote until the workflow's result. */
export const APPROVALS = { samples: 15, warmup: 2 };
/** History shards of the cluster the benchmark starts (the dev server has one). */
export const HISTORY_SHARDS = 4;

export interface ThroughputFigures {
  concurrency: number;
  seconds: number;
  completed: number;
  perSecond: number;
  /** Request until the workflow's result, for the runs counted (ms). */
  latency: Percentiles;
}

export interface WorkerCountRun {
  /** Airlock workers polling (both APIs serve throughout). */
  workers: number;
  throughput: ThroughputFigures;
  /** POST of the approving vote until the workflow's result, the copy done (ms). */
  approveToExecuted: Percentiles;
}

/** With both Airlock workers, then with the second one stopped (drained, as a scale-in would). */
export async function measureClusterRun(cluster: LocalCluster, log: (line: string) => void): Promise<{ byWorkers: WorkerCountRun[] }> {
  const connection = await Connection.connect({ address: cluster.address });
  try {
    const api = new ApiCaller(cluster, new Client({ connection, namespace: cluster.namespace.name }));
    const byWorkers: WorkerCountRun[] = [];
    for (const workers of [2, 1]) {
      if (workers === 1) await cluster.airlocks[1]?.worker.stop(30_000);
      const throughput = await measureThroughput(api);
      log(`${workers} worker(s): ${throughput.perSecond.toFixed(1)} auto-allowed actions/s, p50 ${throughput.latency.p50.toFixed(0)} ms`);
      const approveToExecuted = await measureApprovals(api);
      log(`${workers} worker(s): approve → executed p50 ${approveToExecuted.p50.toFixed(0)} ms`);
      byWorkers.push({ workers, throughput, approveToExecuted });
    }
    return { byWorkers };
  } finally {
    await connection.close();
  }
}

/** Requests and votes over the cluster's APIs, as agents and reviewers make them, and the workflows' results. */
class ApiCaller {
  private next = 0;
  private readonly keys: Record<'etl-bot' | 'alice', string>;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly client: Client,
  ) {
    const file = cluster.principals.keysFile;
    this.keys = { 'etl-bot': readDevKey(file, 'etl-bot'), alice: readDevKey(file, 'alice') };
  }

  /** A copy of the demo object into `bucket` (scratch: auto-allowed; exports: reviewed) by etl-bot. */
  async requestCopy(bucket: 'airlock-scratch' | 'airlock-exports'): Promise<string> {
    const params = { sourceBucket: DEMO_OBJECT.bucket, sourceKey: DEMO_OBJECT.key, destinationBucket: bucket, destinationKey: `bench/${randomUUID()}.csv` };
    const body = await this.post('etl-bot', '/v1/actions', { action: 's3.copyObject', params, justification: 'Benchmark: cluster' }, 202);
    return String(body.id);
  }

  async approve(id: string): Promise<void> {
    await this.post('alice', `/v1/actions/${id}/decisions`, { decision: 'approve' }, 200);
  }

  async succeeded(id: string): Promise<void> {
    const final = await this.client.workflow.getHandle<() => Promise<ActionState>>(id).result();
    if (final.status !== ActionStatus.Succeeded) throw new Error(`${id} ended ${final.status}: ${JSON.stringify(final.error ?? {})}`);
  }

  /** Round robin over the APIs, as a load balancer in front of them would. */
  private async post(principal: 'etl-bot' | 'alice', path: string, body: object, expected: number): Promise<Record<string, unknown>> {
    const node = this.cluster.airlocks[this.next++ % this.cluster.airlocks.length];
    if (!node) throw new Error('no API');
    const response = await fetch(`http://127.0.0.1:${node.apiPort}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.keys[principal]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (response.status !== expected) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  }
}

async function measureThroughput(api: ApiCaller): Promise<ThroughputFigures> {
  const begin = performance.now();
  const windowStart = begin + THROUGHPUT.warmupSeconds * 1000;
  const windowEnd = windowStart + THROUGHPUT.seconds * 1000;
  const latencies: number[] = [];
  const lane = async (): Promise<void> => {
    while (performance.now() < windowEnd) {
      const started = performance.now();
      await api.succeeded(await api.requestCopy('airlock-scratch'));
      const finished = performance.now();
      if (finished >= windowStart && finished <= windowEnd) latencies.push(finished - started);
    }
  };
  const deadlineMs = (THROUGHPUT.warmupSeconds + THROUGHPUT.seconds + 60) * 1000;
  await withDeadline(Promise.all(Array.from({ length: THROUGHPUT.concurrency }, lane)), deadlineMs, 'the throughput run');
  return {
    concurrency: THROUGHPUT.concurrency,
    seconds: THROUGHPUT.seconds,
    completed: latencies.length,
    perSecond: latencies.length / THROUGHPUT.seconds,
    latency: percentiles(latencies),
  };
}

async function measureApprovals(api: ApiCaller): Promise<Percentiles> {
  const samples: number[] = [];
  for (let index = 0; index < APPROVALS.warmup + APPROVALS.samples; index++) {
    const id = await api.requestCopy('airlock-exports');
    const started = performance.now();
    await api.approve(id);
    await api.succeeded(id);
    if (index >= APPROVALS.warmup) samples.push(performance.now() - started);
  }
  return percentiles(samples);
}
