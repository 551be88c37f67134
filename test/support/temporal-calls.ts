import type { WorkflowClientInterceptor } from '@temporalio/client';

/** Every client method an interceptor sees, as the SDK (1.24) names it. */
export type TemporalCallKind =
  'start' | 'startWithDetails' | 'startUpdate' | 'startUpdateWithStart' | 'signal' | 'signalWithStart' | 'query' | 'terminate' | 'cancel' | 'describe';

/** Calls that change something in Temporal: a workflow started, an Update or a signal delivered. */
const WRITES: ReadonlySet<TemporalCallKind> = new Set([
  'start',
  'startWithDetails',
  'startUpdate',
  'startUpdateWithStart',
  'signal',
  'signalWithStart',
  'terminate',
  'cancel',
]);

export interface TemporalCall {
  kind: TemporalCallKind;
  workflowId: string;
  /** The Update, signal or query name, or the workflow type for a start. */
  name?: string;
}

export interface TemporalCallCounter {
  /** Pass to `new Client({ interceptors: { workflow: [counter.interceptor] } })`. */
  interceptor: WorkflowClientInterceptor;
  /** Every call seen since the last `reset()`, in order. */
  calls(): TemporalCall[];
  /** The calls that would change something (starts, Updates, signals, cancels, terminations). */
  writes(): TemporalCall[];
  reset(): void;
}

/**
 * A client interceptor that records every workflow call reaching Temporal, then passes it on
 * unchanged: the calls are real, the record proves which requests got as far as Temporal.
 * `list` and raw `workflowService` calls do not pass through interceptors, and are reads.
 */
export function countTemporalCalls(): TemporalCallCounter {
  let seen: TemporalCall[] = [];
  const record = (kind: TemporalCallKind, workflowId: string, name?: string): void => {
    seen.push({ kind, workflowId, ...(name !== undefined ? { name } : {}) });
  };
  const interceptor: WorkflowClientInterceptor = {
    start: (input, next) => {
      record('start', input.options.workflowId, input.workflowType);
      return next(input);
    },
    startWithDetails: (input, next) => {
      record('startWithDetails', input.options.workflowId, input.workflowType);
      return next(input);
    },
    startUpdate: (input, next) => {
      record('startUpdate', input.workflowExecution.workflowId, input.updateName);
      return next(input);
    },
    startUpdateWithStart: (input, next) => {
      record('startUpdateWithStart', input.workflowStartOptions.workflowId, input.updateName);
      return next(input);
    },
    signal: (input, next) => {
      record('signal', input.workflowExecution.workflowId, input.signalName);
      return next(input);
    },
    signalWithStart: (input, next) => {
      record('signalWithStart', input.options.workflowId, input.signalName);
      return next(input);
    },
    query: (input, next) => {
      record('query', input.workflowExecution.workflowId, input.queryType);
      return next(input);
    },
    terminate: (input, next) => {
      record('terminate', input.workflowExecution.workflowId);
      return next(input);
    },
    cancel: (input, next) => {
      record('cancel', input.workflowExecution.workflowId);
      return next(input);
    },
    describe: (input, next) => {
      record('describe', input.workflowExecution.workflowId);
      return next(input);
    },
  };
  return {
    interceptor,
    calls: () => [...seen],
    writes: () => seen.filter((call) => WRITES.has(call.kind)),
    reset: () => {
      seen = [];
    },
  };
}
