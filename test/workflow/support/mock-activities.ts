import type { Activities } from '../../../activities';
import { createAdmissionActivities } from '../../../activities/admission';
import type { AuditEventInput, AuditEventKind } from '../../../domain/audit-events';
import { readMessageRef, type MessageRef } from '../../../domain/message-ref';
import { operationSucceededEvent } from '../../../domain/operation-result-event';
import type { ExecutionResult, OperationFacts, OperationPreview, PolicyDecision } from '../../../domain/types';

export type ActivityName = keyof Activities;
/** What one activity receives. */
export type ActivityInput<N extends ActivityName> = Parameters<Activities[N]>[0];

/** One activity attempt as the worker ran it: which, and with what input. */
export interface ActivityCall {
  name: ActivityName;
  input: unknown;
}

/** Canned activities that record every attempt, and the audit events the workflow handed over. */
export interface MockedActivities {
  activities: Activities;
  /**
   * Every attempt of every activity, local ones included, in the order the worker started them.
   * Admission (`admitAction`, `admitRequest`) appears as the activities it is made of, as the worker's own is.
   */
  calls: ActivityCall[];
  /** Inputs of one activity's attempts, in order. */
  inputsOf<N extends ActivityName>(name: N): ActivityInput<N>[];
  /** Every event `recordAuditEvents` received, in order (a retried batch appears again). */
  auditEvents: AuditEventInput[];
  /**
   * Kinds of the events as a store keeps them, in order: each event id once. A workflow task that
   * fails (an Update that arrived as it completed the workflow) runs its local activities again.
   */
  auditKinds(): AuditEventKind[];
}

/** The trail of an auto-allowed copy as the workflow writes it with these mocks (their credentials are not recorded). */
export const AUTO_ALLOWED_TRAIL: AuditEventKind[] = [
  'request.received',
  'preview.completed',
  'policy.decided',
  'action.approved',
  'execution.started',
  'operation.succeeded',
];

/** A copy's facts as the catalogue would give them. */
export const COPY_OPERATION: OperationFacts = { idempotent: true, summary: 'copy s3://airlock-src/in.csv to s3://airlock-exports/out.csv' };

/** What the preview read, with the precondition the execution must still find true. */
export const CANNED_PREVIEW: OperationPreview = {
  facts: { sourceBytes: 2048, destinationExists: false },
  notes: ['copies 2.0 KB to s3://airlock-exports/out.csv'],
  warnings: [],
  preconditions: { sourceETag: '"etag-previewed"' },
};

/** A successful execution's result: names only, as the real one. */
export function cannedResult(actionId: string): ExecutionResult {
  return {
    summary: COPY_OPERATION.summary,
    outputs: { etag: '"etag-copied"' },
    session: { roleArn: 'arn:aws:iam::123456789012:role/executor', roleSessionName: actionId, sourceIdentity: 'etl-bot' },
    completedAt: '2026-01-01T00:00:00.000Z',
  };
}

/**
 * The workflow's activities replaced by plain functions (the habit of temporalio/samples-typescript's
 * mocked-activity tests): policy answers `decision` on params, the preview and the execution return
 * canned results, the start is accepted unchecked, channels answer with made-up message refs. A test
 * replaces any of them with `overrides`, and every attempt, replaced or not, is recorded.
 */
export function mockActivities(decision: PolicyDecision, overrides: Partial<Activities> = {}): MockedActivities {
  const calls: ActivityCall[] = [];
  const auditEvents: AuditEventInput[] = [];
  let messages = 0;
  const messageRef = (conversation: string): MessageRef => ({ conversation, messageId: `${++messages}.000100` });
  const canned: Omit<Activities, 'admitRequest' | 'admitAction'> = {
    async verifyActionRequest() {},
    async evaluatePolicyBeforePreview() {
      return { decision, needsPreview: false, operation: COPY_OPERATION };
    },
    async evaluatePolicy() {
      return { decision, operation: COPY_OPERATION };
    },
    async previewOperation() {
      return CANNED_PREVIEW;
    },
    async executeOperation(input) {
      return cannedResult(input.actionId);
    },
    async recordAuditEvents(input) {
      auditEvents.push(...input.events);
      return { added: input.events.length };
    },
    async storedAuditEvents(input) {
      // As the store answers: the first event written under each id (a later write of it was skipped).
      return input.eventIds.flatMap((id) => {
        const event = auditEvents.find((candidate) => candidate.eventId === id && candidate.actionId === input.actionId);
        return event ? [{ eventId: event.eventId, kind: event.kind, data: event.data }] : [];
      });
    },
    async postSlackReview(input) {
      return messageRef(input.channel);
    },
    async updateSlackReview() {},
    async postSlackNotice(input) {
      return messageRef(readMessageRef(input.ref).conversation);
    },
    async postTeamsReview(input) {
      return messageRef(input.conversationId);
    },
    async updateTeamsReview() {},
    async postTeamsNotice(input) {
      return messageRef(readMessageRef(input.ref).conversation);
    },
    async sendEmailReview(input) {
      return messageRef(input.to);
    },
    async sendEmailNotice(input) {
      return messageRef(readMessageRef(input.ref).conversation);
    },
    async sendEmailOutcome() {},
    async deliverCallback() {},
  };
  const { admitRequest, admitAction, executeOperation, ...others } = { ...canned, ...overrides };
  // As the real activity does: the result event under the id the workflow reserved, stored before it returns.
  const chosen = {
    ...others,
    async executeOperation(input: ActivityInput<'executeOperation'>) {
      const { recorded, ...result } = await executeOperation(input);
      if (!input.resultEventId || recorded === false) return result; // `recorded: false` from a test: its store failed
      auditEvents.push(operationSucceededEvent(input.resultEventId, input.actionId, result));
      return { ...result, recorded: true };
    },
  };
  const recorded = recordingEach(chosen, calls);
  const admission = createAdmissionActivities(recorded);
  return {
    activities: { ...recorded, admitRequest: admitRequest ?? admission.admitRequest, admitAction: admitAction ?? admission.admitAction },
    calls,
    // Recorded under its own name by the wrapper of that very activity, so the input is of its type.
    inputsOf: <N extends ActivityName>(name: N) => calls.filter((call) => call.name === name).map((call) => call.input as ActivityInput<N>),
    auditEvents,
    auditKinds: () =>
      auditEvents.filter((event, index) => auditEvents.findIndex((other) => other.eventId === event.eventId) === index).map((event) => event.kind),
  };
}

/** Each activity wrapped to note its call before it runs. */
function recordingEach<T extends Partial<Activities>>(activities: T, calls: ActivityCall[]): T {
  const wrapped: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, run] of Object.entries(activities) as [ActivityName, (input: never) => Promise<unknown>][]) {
    wrapped[name] = (input) => {
      calls.push({ name, input });
      return run(input);
    };
  }
  // Object.entries loses which signature belongs to which name; each wrapper keeps its activity's.
  return wrapped as unknown as T;
}
