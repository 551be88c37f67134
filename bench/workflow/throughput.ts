import { performance } from 'node:perf_hooks';
import { expectAnswer, type AirlockStack } from '../lib/airlock-stack';
import { cpuMsPer, cpuTimes, type CpuTimes, type WatchedProcesses } from '../lib/cpu-time';
import { withDeadline } from '../lib/deadline';
import { percentiles, type Percentiles } from '../lib/stats';
import { ActionStatus, type ActionState } from '../../domain/types';
import { executeFloor } from './floor';

export interface ThroughputOptions {
  /** Runs in flight at any time: each lane starts one, waits for its result, then starts the next. */
  concurrency: number;
  warmupSeconds: number;
  /** The counting window, after the warm-up. */
  seconds: number;
}

export interface ThroughputResult extends ThroughputOptions {
  /** Runs whose result arrived inside the window. */
  completed: number;
  perSecond: number;
  /** Start until result, for the runs counted (ms). */
  latency: Percentiles;
  /** CPU milliseconds per counted run, by process (`self`: API, workers and client), over the window. */
  cpuMsPerAction: CpuTimes;
}

/** Airlock's auto-allowed actions through the API, and the one-activity floor, on the same server with the same lanes. */
export interface ThroughputResults {
  airlock: ThroughputResult;
  floor: ThroughputResult;
}

const REQUEST = { action: 'bench.noop', params: { run: 'throughput' }, justification: 'Benchmark: sustained auto-allowed throughput' };

/** The floor first, then Airlock, each for warm-up + window with `concurrency` lanes. */
export async function measureThroughputs(
  stack: AirlockStack,
  floorTaskQueue: string,
  options: ThroughputOptions,
  watched: WatchedProcesses,
): Promise<ThroughputResults> {
  const floor = await measureThroughput(() => executeFloor(stack.client, floorTaskQueue).then(() => undefined), options, watched);
  const airlock = await measureThroughput(
    async () => {
      const response = await stack.post('bench-auto', '/v1/actions', REQUEST);
      expectAnswer('POST /v1/actions', response, 202);
      const final = await stack.client.workflow.getHandle<() => Promise<ActionState>>(response.body.id).result();
      if (final.status !== ActionStatus.Succeeded) throw new Error(`${response.body.id} ended ${final.status}: ${JSON.stringify(final.error ?? {})}`);
    },
    options,
    watched,
  );
  return { airlock, floor };
}

/**
 * `concurrency` lanes each run `one()` in a loop for warm-up + window; a run counts when it ends
 * inside the window. Lanes stop starting at the window's end and the run waits for the last ones,
 * which are not counted.
 */
async function measureThroughput(one: () => Promise<void>, options: ThroughputOptions, watched: WatchedProcesses): Promise<ThroughputResult> {
  const begin = performance.now();
  const windowStart = begin + options.warmupSeconds * 1000;
  const windowEnd = windowStart + options.seconds * 1000;
  const latencies: number[] = [];
  const cpu: { start?: CpuTimes; end?: CpuTimes } = {};
  const readings = [setTimeout(() => (cpu.start = cpuTimes(watched)), windowStart - begin), setTimeout(() => (cpu.end = cpuTimes(watched)), windowEnd - begin)];
  let failed = false;

  const lane = async (): Promise<void> => {
    while (!failed && performance.now() < windowEnd) {
      const started = performance.now();
      await one();
      const finished = performance.now();
      if (finished >= windowStart && finished <= windowEnd) latencies.push(finished - started);
    }
  };
  const deadlineMs = (options.warmupSeconds + options.seconds + 60) * 1000;
  // One failing lane stops the others at their next start; the first failure is reported.
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
    perSecond: latencies.length / options.seconds,
    latency: percentiles(latencies),
    cpuMsPerAction: cpuMsPer(cpu.start, cpu.end, latencies.length),
  };
}
