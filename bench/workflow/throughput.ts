import { performance } from 'node:perf_hooks';
import { expectAnswer, type AirlockStack } from '../lib/airlock-stack';
import { cpuMsPer, cpuTimes, type CpuTimes, type WatchedProcesses } from '../lib/cpu-time';
import { withDeadline } from '../lib/deadline';
import { percentiles, type Percentiles } from '../lib/stats';
import { ActionStatus, type ActionState } from '../../domain/types';

export interface ThroughputResult {
  /** Actions in flight at any time: each lane submits, waits for `succeeded`, then submits again. */
  concurrency: number;
  warmupSeconds: number;
  /** The counting window, after the warm-up. */
  seconds: number;
  /** Actions that reached `succeeded` inside the window. */
  completed: number;
  actionsPerSecond: number;
  /** `POST /v1/actions` until the workflow result says succeeded, for the actions counted (ms). */
  latency: Percentiles;
  /** CPU milliseconds per counted action, by process (`self`: API, worker and client), over the window. */
  cpuMsPerAction: CpuTimes;
}

const REQUEST = { action: 'bench.noop', params: { run: 'throughput' }, justification: 'Benchmark: sustained auto-allowed throughput' };

/**
 * `concurrency` lanes submit auto-allowed actions through the API for warm-up + window; an action
 * counts when its workflow result (succeeded) arrives inside the window. Lanes stop submitting at
 * the window's end and the run waits for the last ones, which are not counted.
 */
export async function measureThroughput(
  stack: AirlockStack,
  options: { concurrency: number; warmupSeconds: number; seconds: number },
  watched: WatchedProcesses,
): Promise<ThroughputResult> {
  const begin = performance.now();
  const windowStart = begin + options.warmupSeconds * 1000;
  const windowEnd = windowStart + options.seconds * 1000;
  const latencies: number[] = [];
  const cpu: { start?: CpuTimes; end?: CpuTimes } = {};
  const readings = [setTimeout(() => (cpu.start = cpuTimes(watched)), windowStart - begin), setTimeout(() => (cpu.end = cpuTimes(watched)), windowEnd - begin)];
  let failed = false;

  const lane = async (): Promise<void> => {
    while (!failed && performance.now() < windowEnd) {
      const submitted = performance.now();
      const response = await stack.post('bench-auto', '/v1/actions', REQUEST);
      expectAnswer('POST /v1/actions', response, 202);
      const final = await stack.client.workflow.getHandle<() => Promise<ActionState>>(response.body.id).result();
      const finished = performance.now();
      if (final.status !== ActionStatus.Succeeded) throw new Error(`${response.body.id} ended ${final.status}: ${JSON.stringify(final.error ?? {})}`);
      if (finished >= windowStart && finished <= windowEnd) latencies.push(finished - submitted);
    }
  };
  const deadlineMs = (options.warmupSeconds + options.seconds + 60) * 1000;
  // One failing lane stops the others at their next submission; the first failure is reported.
  const lanes = Array.from({ length: options.concurrency }, () =>
    lane().catch((err: unknown) => {
      failed = true;
      throw err;
    }),
  );
  const settled = await withDeadline(Promise.allSettled(lanes), deadlineMs, 'the throughput run').finally(() => {
    for (const timer of readings) clearTimeout(timer);
  });
  const failure = settled.find((lane) => lane.status === 'rejected');
  if (failure) throw failure.reason;
  if (!cpu.start || !cpu.end) throw new Error('the throughput window was not read');
  return {
    ...options,
    completed: latencies.length,
    actionsPerSecond: latencies.length / options.seconds,
    latency: percentiles(latencies),
    cpuMsPerAction: cpuMsPer(cpu.start, cpu.end, latencies.length),
  };
}
