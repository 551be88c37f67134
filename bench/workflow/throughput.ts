import { performance } from 'node:perf_hooks';
import { expectAnswer, type AirlockStack } from '../lib/airlock-stack';
import { cpuSecondsBetween, cpuTimes, msPer, type CpuTimes, type WatchedProcesses } from '../lib/cpu-time';
import { withDeadline } from '../lib/deadline';
import { percentiles, type Percentiles } from '../lib/stats';
import { ActionStatus, type ActionState } from '../../domain/types';
import { executeFloor } from './floor';

export interface ThroughputOptions {
  /** Runs in flight at any time: each lane starts one, waits for its result, then starts the next. */
  concurrency: number;
  /** Before each part's window. */
  warmupSeconds: number;
  /** The counting window, over all parts. */
  seconds: number;
  /**
   * Parts per side, run alternately (floor, Airlock, floor, Airlock, …), each with its warm-up and
   * an equal share of the window: whatever changes during the run (the server's store grows, the
   * machine is busier) falls on both sides alike. Absent from results recorded before 2026-12-05 (one part).
   */
  rounds?: number;
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

/** The floor and Airlock in alternating parts (`rounds` each), each part a warm-up then its share of the window. */
export async function measureThroughputs(
  stack: AirlockStack,
  floorTaskQueue: string,
  options: ThroughputOptions,
  watched: WatchedProcesses,
): Promise<ThroughputResults> {
  const floorRun = (): Promise<void> => executeFloor(stack.client, floorTaskQueue).then(() => undefined);
  const airlockRun = async (): Promise<void> => {
    const response = await stack.post('bench-auto', '/v1/actions', REQUEST);
    expectAnswer('POST /v1/actions', response, 202);
    const final = await stack.client.workflow.getHandle<() => Promise<ActionState>>(response.body.id).result();
    if (final.status !== ActionStatus.Succeeded) throw new Error(`${response.body.id} ended ${final.status}: ${JSON.stringify(final.error ?? {})}`);
  };
  const rounds = options.rounds ?? 1;
  const part = { concurrency: options.concurrency, warmupSeconds: options.warmupSeconds, seconds: options.seconds / rounds };
  const floor: PartResult[] = [];
  const airlock: PartResult[] = [];
  for (let round = 0; round < rounds; round += 1) {
    floor.push(await measurePart(floorRun, part, watched));
    airlock.push(await measurePart(airlockRun, part, watched));
  }
  return { airlock: combine(airlock, options), floor: combine(floor, options) };
}

/** One part's counted runs: their latencies (ms) and the CPU seconds each process spent over its window. */
export interface PartResult {
  latencies: number[];
  cpuSeconds: CpuTimes;
}

/** The parts of one side as one result: runs and CPU summed, percentiles over every counted run. */
export function combine(parts: PartResult[], options: ThroughputOptions): ThroughputResult {
  const latencies = parts.flatMap((part) => part.latencies);
  const cpuSeconds: CpuTimes = {};
  for (const part of parts) for (const [name, seconds] of Object.entries(part.cpuSeconds)) cpuSeconds[name] = (cpuSeconds[name] ?? 0) + seconds;
  return {
    ...options,
    completed: latencies.length,
    perSecond: latencies.length / options.seconds,
    latency: percentiles(latencies),
    cpuMsPerAction: msPer(cpuSeconds, latencies.length),
  };
}

/**
 * One part: `concurrency` lanes each run `one()` in a loop for warm-up + window; a run counts when
 * it ends inside the window. Lanes stop starting at the window's end and the run waits for the last ones,
 * which are not counted.
 */
async function measurePart(one: () => Promise<void>, options: ThroughputOptions, watched: WatchedProcesses): Promise<PartResult> {
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
  return { latencies, cpuSeconds: cpuSecondsBetween(cpu.start, cpu.end) };
}
