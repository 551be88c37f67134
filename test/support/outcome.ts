import type { S3Client } from '@aws-sdk/client-s3';
import type { temporal } from '@temporalio/proto';
import type { ActionState } from '../../domain/types';
import { acceptedUpdates, fetchHistory, scheduledActivities } from './history';
import type { Stack } from './stack';
import { objectExists } from './test-aws';

type History = temporal.api.history.v1.IHistory;

/** Where an outcome is read from: an in-process stack, or one of separate processes. */
export type OutcomeSource = Pick<Stack, 'client' | 'call' | 'audit' | 'proxy'>;

/** The audit kinds that close a review: a closed action has exactly one of them. */
const REVIEW_OUTCOMES = ['action.approved', 'action.rejected', 'action.expired', 'action.cancelled', 'action.denied'];

/**
 * One finished action as every place that records it tells it, reduced to what must agree:
 * the API's view, the workflow result, the Temporal history, the audit trail and the effect on S3.
 * A race test compares this whole object with the one outcome it expects, so a disagreement
 * anywhere shows up in a single diff.
 */
export interface Outcome {
  view: { status: string; votes: string[]; cancelledBy: string | null };
  result: { status: string; votes: string[]; cancelledBy: string | null };
  history: {
    /** Reviewers whose `decide` Update the workflow accepted, in order. */
    decided: string[];
    /** Accepted `cancel` Updates, by who asked. */
    cancelledBy: string[];
    /** Accepted Updates that also completed successfully, by name (an accepted one must complete). */
    completed: { decide: number; cancel: number };
    executions: number;
  };
  audit: {
    /** Actors of `vote.recorded`, in order. */
    votes: string[];
    /** `vote.refused` as `actor:code`, in order. */
    refused: string[];
    /** The review-closing events, in order: exactly one for a closed action. */
    outcomes: string[];
    succeeded: number;
  };
  effect: { copies: number; objectExists: boolean };
}

/** Where the action copies to: the object it creates and the CopyObject request that creates it. */
export interface CopyTarget {
  bucket: string;
  key: string;
}

/**
 * Waits for the workflow to end, then reads the outcome from every place. Reads come after the
 * workflow result: the workflow stores its audit events before it completes.
 */
export async function observeOutcome(stack: OutcomeSource, s3: S3Client, actionId: string, target: CopyTarget): Promise<Outcome> {
  const result = await stack.client.workflow.getHandle<() => Promise<ActionState>>(actionId).result();
  const response = await stack.call('audrey', 'GET', `/v1/actions/${actionId}`);
  if (response.statusCode !== 200) throw new Error(`GET /v1/actions/${actionId} answered ${response.statusCode}: ${response.text}`);
  const view = response.json();
  const history = await fetchHistory(stack.client, actionId);
  const lineage = await stack.audit.lineage(actionId);
  const ofKind = (kind: string) => lineage.filter((event) => event.kind === kind);
  return {
    view: {
      status: view.status,
      votes: (view.votes as { reviewer: string }[]).map((vote) => vote.reviewer),
      cancelledBy: view.cancellation?.by ?? null,
    },
    result: {
      status: result.status,
      votes: result.votes.map((vote) => vote.reviewer),
      cancelledBy: result.cancellation?.by ?? null,
    },
    history: {
      decided: acceptedUpdates(history, 'decide').map((input) => (input as { reviewer: string }).reviewer),
      cancelledBy: acceptedUpdates(history, 'cancel').map((input) => (input as { by: string }).by),
      completed: { decide: completedUpdates(history, 'decide'), cancel: completedUpdates(history, 'cancel') },
      executions: scheduledActivities(history).filter((name) => name === 'executeOperation').length,
    },
    audit: {
      votes: ofKind('vote.recorded').map((event) => event.actor),
      refused: ofKind('vote.refused').map((event) => `${event.actor}:${String(event.data.code)}`),
      outcomes: lineage.filter((event) => REVIEW_OUTCOMES.includes(event.kind)).map((event) => event.kind),
      succeeded: ofKind('operation.succeeded').length,
    },
    effect: { copies: copyRequests(stack, target), objectExists: await objectExists(s3, target.bucket, target.key) },
  };
}

/** Successful completions of Updates named `name` (matched to their acceptance by update id). */
export function completedUpdates(history: History, name: string): number {
  const ids = new Set<string>();
  let completed = 0;
  for (const event of history.events ?? []) {
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    if (accepted?.input?.name === name && accepted.meta?.updateId) ids.add(accepted.meta.updateId);
    const done = event.workflowExecutionUpdateCompletedEventAttributes;
    if (done?.meta?.updateId && ids.has(done.meta.updateId) && done.outcome?.success) completed += 1;
  }
  return completed;
}

/** CopyObject requests to the target that the worker sent through the recording proxy (moto saw each). */
export function copyRequests(stack: OutcomeSource, target: CopyTarget): number {
  const path = `/${target.bucket}/${target.key}`;
  return stack.proxy
    .exchanges()
    .filter((exchange) => exchange.method === 'PUT' && exchange.url.includes('x-id=CopyObject') && exchange.url.split('?')[0] === path).length;
}

/** What a quorum of approvals by `voters` leads to: one execution, the object copied. */
export function executed(voters: string[], refused: string[] = []): Outcome {
  return {
    view: { status: 'succeeded', votes: voters, cancelledBy: null },
    result: { status: 'succeeded', votes: voters, cancelledBy: null },
    history: { decided: voters, cancelledBy: [], completed: { decide: voters.length, cancel: 0 }, executions: 1 },
    audit: { votes: voters, refused, outcomes: ['action.approved'], succeeded: 1 },
    effect: { copies: 1, objectExists: true },
  };
}

/** What an action closed without execution leads to: nothing copied, `action.<status>` the only outcome event. */
export function closedWithoutExecution(
  status: 'expired' | 'cancelled' | 'rejected',
  options: { votes?: string[]; refused?: string[]; cancelledBy?: string } = {},
): Outcome {
  const votes = options.votes ?? [];
  const cancelledBy = options.cancelledBy ?? null;
  return {
    view: { status, votes, cancelledBy },
    result: { status, votes, cancelledBy },
    history: {
      decided: votes,
      cancelledBy: cancelledBy ? [cancelledBy] : [],
      completed: { decide: votes.length, cancel: cancelledBy ? 1 : 0 },
      executions: 0,
    },
    audit: { votes, refused: options.refused ?? [], outcomes: [`action.${status}`], succeeded: 0 },
    effect: { copies: 0, objectExists: false },
  };
}
