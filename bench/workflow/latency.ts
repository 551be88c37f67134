import { performance } from 'node:perf_hooks';
import { expectAnswer, type AirlockStack } from '../lib/airlock-stack';
import { withDeadline } from '../lib/deadline';
import { percentiles, type Percentiles } from '../lib/stats';
import { untilIdle } from '../lib/until-idle';
import { ActionStatus, type ActionState } from '../../domain/types';
import { releaseFloor, startFloor } from './floor';

/** Airlock beside the floor for one step, in milliseconds. */
export interface Comparison {
  airlock: Percentiles;
  floor: Percentiles;
}

export interface LatencyResults {
  /** Timed iterations (each gives one sample of every figure), after `warmup` untimed ones. */
  samples: number;
  warmup: number;
  /** `POST /v1/actions` (202, pending_review) against a bare `client.workflow.start` of the floor. */
  submit: Comparison;
  /** Approve through the API until the result says succeeded, against release until the floor's result. */
  approve: Comparison;
}

const REQUEST = { action: 'bench.noop', params: { run: 'latency' }, justification: 'Benchmark: approve-to-executed latency' };
const ITERATION_DEADLINE_MS = 60_000;

/**
 * One request at a time, so each figure is latency, not queueing. Every iteration runs the four
 * steps in turn (floor start, floor release, Airlock submit, Airlock approve), so Airlock and the
 * floor see the same machine, whatever else it is doing at that moment.
 */
export async function measureLatencies(stack: AirlockStack, floorTaskQueue: string, options: { samples: number; warmup: number }): Promise<LatencyResults> {
  const times = { floorStart: [] as number[], floorRelease: [] as number[], submit: [] as number[], approve: [] as number[] };
  for (let i = 0; i < options.warmup + options.samples; i += 1) {
    const sample = await withDeadline(iteration(stack, floorTaskQueue), ITERATION_DEADLINE_MS, `latency iteration ${i}`);
    if (i < options.warmup) continue;
    times.floorStart.push(sample.floorStart);
    times.floorRelease.push(sample.floorRelease);
    times.submit.push(sample.submit);
    times.approve.push(sample.approve);
  }
  return {
    samples: options.samples,
    warmup: options.warmup,
    submit: { airlock: percentiles(times.submit), floor: percentiles(times.floorStart) },
    approve: { airlock: percentiles(times.approve), floor: percentiles(times.floorRelease) },
  };
}

async function iteration(stack: AirlockStack, floorTaskQueue: string): Promise<Record<'floorStart' | 'floorRelease' | 'submit' | 'approve', number>> {
  let started = performance.now();
  const floor = await startFloor(stack.client, floorTaskQueue);
  const floorStart = performance.now() - started;

  await untilIdle(floor);
  started = performance.now();
  await releaseFloor(floor);
  const floorRelease = performance.now() - started;

  started = performance.now();
  const submitted = await stack.post('bench-agent', '/v1/actions', REQUEST);
  const submit = performance.now() - started;
  expectAnswer('POST /v1/actions', submitted, 202, ActionStatus.PendingReview);
  const actionId = submitted.body.id;

  const handle = stack.client.workflow.getHandle<() => Promise<ActionState>>(actionId);
  await untilIdle(handle);
  // Listening for the result before the vote is sent, as the floor's release does.
  const result = handle.result();
  result.catch(() => undefined); // awaited below, once the vote's answer is checked
  started = performance.now();
  const decided = await stack.post('bench-reviewer', `/v1/actions/${actionId}/decisions`, { decision: 'approve' });
  expectAnswer('POST /v1/actions/{id}/decisions', decided, 200);
  const final = await result;
  const approve = performance.now() - started;
  if (final.status !== ActionStatus.Succeeded) throw new Error(`${actionId} ended ${final.status}: ${JSON.stringify(final.error ?? {})}`);
  return { floorStart, floorRelease, submit, approve };
}
