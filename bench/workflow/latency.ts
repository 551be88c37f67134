import { performance } from 'node:perf_hooks';
import { expectAnswer, type AirlockStack } from '../lib/airlock-stack';
import { withDeadline } from '../lib/deadline';
import { percentiles, type Percentiles } from '../lib/stats';
import { untilIdle } from '../lib/until-idle';
import { ActionStatus, type ActionState } from '../../domain/types';
import type { SentRelease } from './approval-timeline';
import type { SentRun } from './auto-timeline';
import type { IdentitySigner } from '../../api/identity-signer';
import { admitFloor, executeFloor, releaseFloor, startFloor } from './floor';
import { executeTrustFloor, releaseTrustFloor, startTrustRelease } from './trust-floor';

/** Airlock beside the floor for one step, in milliseconds. */
export interface Comparison {
  airlock: Percentiles;
  floor: Percentiles;
}

/** Workflow ids of one iteration's runs, whose histories the benchmark then reads. */
export interface LatencyRuns {
  /** An auto-allowed action that succeeded. */
  autoAllowed: string;
  /** An action reviewed (quorum 1), approved, and succeeded. */
  reviewed: string;
  /** The one-activity floor, started and awaited. */
  floorActivity: string;
  /** The release floor: started, released by an Update, one activity. */
  floorRelease: string;
}

/** Every timed approval and floor release, with when it was sent: their histories say where the time went. */
export interface SentReleases {
  airlock: SentRelease[];
  floor: SentRelease[];
  /** The approval's trust floor (absent from earlier results). */
  trust?: SentRelease[];
}

/** Every timed auto-allowed action and one-activity floor run, with when it was sent and answered. */
export interface SentRuns {
  airlock: SentRun[];
  floor: SentRun[];
  /** The auto-allowed path's trust floor (absent from earlier results). */
  trust?: SentRun[];
}

export interface LatencyResults {
  /** Timed iterations (each gives one sample of every figure), after `warmup` untimed ones. */
  samples: number;
  warmup: number;
  /** `POST /v1/actions` (202, pending_review) against update-with-start of the admit floor until its Update returns. */
  submit: Comparison;
  /** A bare `client.workflow.start` of the floor: the least any start costs, kept beside the update-with-start floor. */
  bareStart: Percentiles;
  /** Approve through the API until the result says succeeded, against release until the floor's result. */
  approve: Comparison;
  /** An auto-allowed `POST /v1/actions` until the result says succeeded, against `client.workflow.execute` of the one-activity floor. */
  auto: Comparison;
  /**
   * The trust floors (trust-floor-workflows.ts): the release and one-activity floors plus the work
   * Airlock's guarantees require on the same path. Absent from results recorded before 2026-12-05.
   */
  trustFloors?: { approve: Percentiles; auto: Percentiles };
  runs: LatencyRuns;
  releases: SentReleases;
  autoRuns: SentRuns;
}

/** Where the trust floors run and how their votes and starts are signed. */
export interface TrustFloorTarget {
  taskQueue: string;
  signer: IdentitySigner;
}

const REVIEWED = { action: 'bench.noop', params: { run: 'latency' }, justification: 'Benchmark: approve-to-executed latency' };
const AUTO = { action: 'bench.noop', params: { run: 'latency-auto' }, justification: 'Benchmark: auto-allowed request-to-succeeded latency' };
const ITERATION_DEADLINE_MS = 60_000;

type Step = 'floorStart' | 'floorRelease' | 'floorAdmit' | 'submit' | 'approve' | 'trustRelease' | 'floorExecute' | 'auto' | 'trustExecute';

/**
 * One request at a time, so each figure is latency, not queueing. Every iteration runs every step
 * in turn, a floor beside the Airlock step it is the floor of, so Airlock and the floors see the
 * same machine, whatever else it is doing at that moment.
 */
export async function measureLatencies(
  stack: AirlockStack,
  floorTaskQueue: string,
  trust: TrustFloorTarget,
  options: { samples: number; warmup: number },
): Promise<LatencyResults> {
  const times: Record<Step, number[]> = {
    floorStart: [],
    floorRelease: [],
    floorAdmit: [],
    submit: [],
    approve: [],
    trustRelease: [],
    floorExecute: [],
    auto: [],
    trustExecute: [],
  };
  let runs: LatencyRuns | undefined;
  const releases = { airlock: [] as SentRelease[], floor: [] as SentRelease[], trust: [] as SentRelease[] };
  const autoRuns = { airlock: [] as SentRun[], floor: [] as SentRun[], trust: [] as SentRun[] };
  for (let i = 0; i < options.warmup + options.samples; i += 1) {
    const sample = await withDeadline(iteration(stack, floorTaskQueue, trust), ITERATION_DEADLINE_MS, `latency iteration ${i}`);
    if (i < options.warmup) continue;
    for (const step of Object.keys(times) as Step[]) times[step].push(sample.times[step]);
    runs = sample.runs;
    releases.airlock.push(sample.sent.airlock);
    releases.floor.push(sample.sent.floor);
    releases.trust.push(sample.sent.trust);
    autoRuns.airlock.push(sample.sent.autoAirlock);
    autoRuns.floor.push(sample.sent.autoFloor);
    autoRuns.trust.push(sample.sent.autoTrust);
  }
  if (!runs) throw new Error('no timed iteration');
  return {
    samples: options.samples,
    warmup: options.warmup,
    submit: { airlock: percentiles(times.submit), floor: percentiles(times.floorAdmit) },
    bareStart: percentiles(times.floorStart),
    approve: { airlock: percentiles(times.approve), floor: percentiles(times.floorRelease) },
    auto: { airlock: percentiles(times.auto), floor: percentiles(times.floorExecute) },
    trustFloors: { approve: percentiles(times.trustRelease), auto: percentiles(times.trustExecute) },
    runs,
    releases,
    autoRuns,
  };
}

async function timed<T>(step: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await step();
  return [value, performance.now() - started];
}

async function iteration(
  stack: AirlockStack,
  floorTaskQueue: string,
  trust: TrustFloorTarget,
): Promise<{
  times: Record<Step, number>;
  runs: LatencyRuns;
  sent: { airlock: SentRelease; floor: SentRelease; trust: SentRelease; autoAirlock: SentRun; autoFloor: SentRun; autoTrust: SentRun };
}> {
  const { client } = stack;
  const [floor, floorStart] = await timed(() => startFloor(client, floorTaskQueue));
  await untilIdle(floor);
  const floorSent = { workflowId: floor.workflowId, sentAt: Date.now() };
  const [, floorRelease] = await timed(() => releaseFloor(floor));

  const [admitted, floorAdmit] = await timed(() => admitFloor(client, floorTaskQueue));
  await releaseFloor(admitted); // untimed: it only ends the workflow

  const [submitted, submit] = await timed(() => stack.post('bench-agent', '/v1/actions', REVIEWED));
  expectAnswer('POST /v1/actions', submitted, 202, ActionStatus.PendingReview);
  const reviewed = submitted.body.id;
  const handle = client.workflow.getHandle<() => Promise<ActionState>>(reviewed);
  await untilIdle(handle);
  // Listening for the result before the vote is sent, as the floor's release does.
  const result = handle.result();
  result.catch(() => undefined); // awaited below, once the vote's answer is checked
  const airlockSent = { workflowId: reviewed, sentAt: Date.now() };
  const [, approve] = await timed(async () => {
    const decided = await stack.post('bench-reviewer', `/v1/actions/${reviewed}/decisions`, { decision: 'approve' });
    expectAnswer('POST /v1/actions/{id}/decisions', decided, 200);
    expectSucceeded(reviewed, await result);
  });

  const trustFloor = await startTrustRelease(client, trust.taskQueue, trust.signer);
  await untilIdle(trustFloor);
  const trustSent = { workflowId: trustFloor.workflowId, sentAt: Date.now() };
  const [, trustRelease] = await timed(() => releaseTrustFloor(trustFloor, trust.signer));

  const floorExecuteSent = Date.now();
  const [floorActivity, floorExecute] = await timed(() => executeFloor(client, floorTaskQueue));
  const autoFloor = { workflowId: floorActivity, sentAt: floorExecuteSent, doneAt: Date.now() };

  const autoSent = Date.now();
  const [autoAllowed, auto] = await timed(async () => {
    const response = await stack.post('bench-auto', '/v1/actions', AUTO);
    expectAnswer('POST /v1/actions', response, 202);
    expectSucceeded(response.body.id, await client.workflow.getHandle<() => Promise<ActionState>>(response.body.id).result());
    return response.body.id;
  });
  const autoAirlock = { workflowId: autoAllowed, sentAt: autoSent, doneAt: Date.now() };
  const trustExecuteSent = Date.now();
  const [trustActivity, trustExecute] = await timed(() => executeTrustFloor(client, trust.taskQueue, trust.signer));
  const autoTrust = { workflowId: trustActivity, sentAt: trustExecuteSent, doneAt: Date.now() };

  return {
    times: { floorStart, floorRelease, floorAdmit, submit, approve, trustRelease, floorExecute, auto, trustExecute },
    runs: { autoAllowed, reviewed, floorActivity, floorRelease: floor.workflowId },
    sent: { airlock: airlockSent, floor: floorSent, trust: trustSent, autoAirlock, autoFloor, autoTrust },
  };
}

function expectSucceeded(actionId: string, final: ActionState): void {
  if (final.status !== ActionStatus.Succeeded) throw new Error(`${actionId} ended ${final.status}: ${JSON.stringify(final.error ?? {})}`);
}
