/** Workflow tasks the server timed out over a run, from its Prometheus counters. */
export interface WorkflowTaskTimeouts {
  /** Held by a worker past the workflow task timeout (AIRLOCK_WORKFLOW_TASK_TIMEOUT for Airlock's actions). */
  startToClose: number;
  /** Not polled in time: on a sticky queue, past AIRLOCK_WORKER_STICKY_TIMEOUT. */
  scheduleToStart: number;
}

/** The timer operations under which history counts workflow task timeouts (normal and speculative tasks). */
const WORKFLOW_TASK_TIMEOUT_OPERATION = /operation="TimerActiveTask(Speculative)?WorkflowTaskTimeout"/;

/**
 * Sums the dev server's workflow task timeout counters. A run whose tasks never wait that long
 * shows zeros: the evidence that a short workflow task timeout costs nothing under the bench's load.
 */
export async function workflowTaskTimeouts(metricsUrl: string): Promise<WorkflowTaskTimeouts> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${metricsUrl} answered ${response.status}`);
  return countWorkflowTaskTimeouts(await response.text());
}

/** The counting itself, on Prometheus' text format: `name{labels} value` per line. */
export function countWorkflowTaskTimeouts(exposition: string): WorkflowTaskTimeouts {
  const counts: WorkflowTaskTimeouts = { startToClose: 0, scheduleToStart: 0 };
  for (const line of exposition.split('\n')) {
    const match = /^(start_to_close_timeout|schedule_to_start_timeout)(?:_total)?\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!match || !WORKFLOW_TASK_TIMEOUT_OPERATION.test(match[2] ?? '')) continue;
    const value = Number(match[3]);
    if (match[1] === 'start_to_close_timeout') counts.startToClose += value;
    else counts.scheduleToStart += value;
  }
  return counts;
}
