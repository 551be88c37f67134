import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { expectAnswer, type AirlockStack } from '../lib/airlock-stack';
import { untilIdle } from '../lib/until-idle';
import { ActionStatus, type ActionState } from '../../domain/types';
import type { LatencyRuns } from './latency';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** What one workflow run wrote to its history, read back from the server. */
export interface HistoryCount {
  path: string;
  workflowId: string;
  events: number;
  workflowTasks: number;
  activities: number;
  localActivityMarkers: number;
  otherMarkers: number;
  timers: number;
  updates: number;
  upserts: number;
  workflowTaskTimeouts: number;
}

/** One run of each path: from the latency part, plus a 2-of-2 quorum action run here. */
export interface HistoryResults {
  autoAllowed: HistoryCount;
  reviewed: HistoryCount;
  quorumTwo: HistoryCount;
  floorActivity: HistoryCount;
  floorRelease: HistoryCount;
}

const QUORUM_TWO = { action: 'bench.noop', params: { run: 'history-quorum-2' }, justification: 'Benchmark: history of a 2-of-2 review' };

/** Counts the events of the latency part's last runs, and of one action approved by two reviewers. */
export async function countHistories(stack: AirlockStack, runs: LatencyRuns): Promise<HistoryResults> {
  const { client } = stack;
  const quorumTwo = await runQuorumTwo(stack);
  return {
    autoAllowed: await countHistory(client, 'auto-allowed, succeeded', runs.autoAllowed),
    reviewed: await countHistory(client, 'reviewed (quorum 1), approved, succeeded', runs.reviewed),
    quorumTwo: await countHistory(client, 'reviewed (quorum 2), approved twice, succeeded', quorumTwo),
    floorActivity: await countHistory(client, 'floor: one activity', runs.floorActivity),
    floorRelease: await countHistory(client, 'floor: one Update, one activity', runs.floorRelease),
  };
}

/** `bench-agent-2`'s actions need two of the bench reviewers (bench/workflow-policy.yaml). */
async function runQuorumTwo(stack: AirlockStack): Promise<string> {
  const submitted = await stack.post('bench-agent-2', '/v1/actions', QUORUM_TWO);
  expectAnswer('POST /v1/actions', submitted, 202, ActionStatus.PendingReview);
  const id = submitted.body.id;
  const handle = stack.client.workflow.getHandle<() => Promise<ActionState>>(id);
  for (const reviewer of ['bench-reviewer', 'bench-reviewer-2'] as const) {
    await untilIdle(handle); // votes come one at a time, as two people's do
    expectAnswer('POST /v1/actions/{id}/decisions', await stack.post(reviewer, `/v1/actions/${id}/decisions`, { decision: 'approve' }), 200);
  }
  const final = await handle.result();
  if (final.status !== ActionStatus.Succeeded) throw new Error(`${id} ended ${final.status}: ${JSON.stringify(final.error ?? {})}`);
  return id;
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

async function countHistory(client: Client, path: string, workflowId: string): Promise<HistoryCount> {
  const events: HistoryEvent[] = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const number = (has: (event: HistoryEvent) => unknown): number => events.filter((event) => has(event)).length;
  const markers = events.map((event) => event.markerRecordedEventAttributes?.markerName).filter((name) => typeof name === 'string');
  return {
    path,
    workflowId,
    events: events.length,
    workflowTasks: number((event) => event.workflowTaskCompletedEventAttributes),
    activities: number((event) => event.activityTaskScheduledEventAttributes),
    localActivityMarkers: markers.filter((name) => name === LOCAL_ACTIVITY_MARKER).length,
    otherMarkers: markers.filter((name) => name !== LOCAL_ACTIVITY_MARKER).length,
    timers: number((event) => event.timerStartedEventAttributes),
    updates: number((event) => event.workflowExecutionUpdateAcceptedEventAttributes),
    upserts: number((event) => event.upsertWorkflowSearchAttributesEventAttributes),
    workflowTaskTimeouts: number((event) => event.workflowTaskTimedOutEventAttributes),
  };
}
