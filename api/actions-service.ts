import { createHash } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { canonicalJson } from '../domain/canonical-json';
import type { AuditLog } from '../audit/audit-log';
import { auditParams } from '../domain/audit-redaction';
import type { Catalogue } from '../operations/catalogue';
import { admittedUpdate, cancelUpdate, decideUpdate, DEFAULT_WORKFLOW_TASK_TIMEOUT, PRIVILEGED_ACTION_WORKFLOW, statusQuery } from '../workflows/messages';
import { parseDuration } from '../policy/duration';
import { ActionAttribute, RequesterAttribute, StatusAttribute } from '../workflows/search-attributes';
import { ActionStatus, RefusalCode } from '../domain/types';
import type { ActionRequestInput, ActionState, CancelInput, DecideInput } from '../domain/types';
import type { ActionListFilter, ActionRead, ActionsPort, ActionSummary, SubmitInput, SubmitResult } from '../domain/actions-port';
import {
  ActionNotFoundError,
  ActionRefusedError,
  AuditUnavailableError,
  DomainErrorCode,
  IdempotencyKeyReusedError,
  NotInCatalogueError,
  TemporalUnavailableError,
  WorkerUnavailableError,
} from '../domain/errors';
import { idempotentActionId, newActionId } from './action-id';
import { freshUpdateId, type IdentitySigner } from './identity-signer';
import { RefusedVoteRecorder } from './refused-votes';
import { asDomainError, unreachableAsDomainError } from './temporal-errors';
import { temporalReachable } from './temporal-reachable';
import { validationError } from './validation';
import { waitForClose } from './workflow-close';

/**
 * The ActionsPort over the Temporal client: everything the HTTP routes and the chat channels do to
 * actions. It fails only with domain errors (domain/errors.ts) for every condition it knows; each
 * edge turns those into its own answer.
 */
export class ActionsService implements ActionsPort {
  constructor(
    private readonly client: Client,
    private readonly catalogue: Catalogue,
    private readonly taskQueue: string,
    /** Where refused votes are recorded (accepted ones are recorded by the workflow), unless `refusedVotes` is given. */
    audit: AuditLog,
    /** Signs every identity handed to Temporal: workers accept no other. */
    private readonly signer: IdentitySigner,
    /**
     * How long a call that needs a worker (admission, query, vote, cancel) may wait for one:
     * a new request then answers `evaluating`, a read falls back to history, a vote gets 503.
     */
    private readonly admissionTimeoutMs = 10_000,
    /** Writes refused votes to `audit`, a few per reviewer and action; the API's gives it a logger and metrics. */
    private readonly refusedVotes: RefusedVoteRecorder = new RefusedVoteRecorder(audit),
    /** Each action's workflow task timeout (workflows/messages.ts). */
    private readonly workflowTaskTimeoutMs: number = parseDuration(DEFAULT_WORKFLOW_TASK_TIMEOUT),
  ) {}

  /** Validates, then starts the workflow and waits only for policy evaluation (update-with-start). */
  async submit(input: SubmitInput): Promise<SubmitResult> {
    const operation = this.catalogue.get(input.action);
    if (!operation) throw new NotInCatalogueError(input.action, this.catalogue.names());
    const params = operation.params.safeParse(input.params);
    if (!params.success) throw validationError(params.error, 'params', DomainErrorCode.InvalidParams);

    const actionId = input.idempotencyKey ? idempotentActionId(input.action, input.requester.id, input.idempotencyKey) : newActionId(input.action);
    const request: ActionRequestInput = {
      actionId,
      action: input.action,
      params: input.params,
      justification: input.justification,
      requester: input.requester,
      ...(input.context ? { context: input.context } : {}),
      ...(input.callbackUrl ? { callbackUrl: input.callbackUrl } : {}),
      ...(input.origin ? { origin: input.origin } : {}),
      requestedAt: new Date().toISOString(),
    };
    const recorded = auditParams(actionId, input.params, operation.redactInAudit ?? []);
    if (recorded) request.auditParams = recorded;
    request.proof = this.signer.signStart(request);
    const startOperation = new WithStartWorkflowOperation(PRIVILEGED_ACTION_WORKFLOW, {
      workflowId: actionId,
      taskQueue: this.taskQueue,
      workflowTaskTimeout: this.workflowTaskTimeoutMs,
      args: [request],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: StatusAttribute, value: ActionStatus.Evaluating },
        { key: ActionAttribute, value: input.action },
        { key: RequesterAttribute, value: input.requester.id },
      ],
      staticSummary: `${input.requester.id} asks: ${operation.summarize(params.data)}`,
      staticDetails: staticDetails(request),
    });

    let state: ActionState;
    try {
      state = await this.client.connection.withDeadline(Date.now() + this.admissionTimeoutMs, () =>
        this.client.workflow.executeUpdateWithStart(admittedUpdate, { startWorkflowOperation: startOperation }),
      );
    } catch (err) {
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
        // No worker answered in time. If the start itself was recorded, it is durable: say so, and
        // let the caller poll. If not even that happened, Temporal is unavailable.
        await this.confirmStarted(actionId);
        return { state: evaluatingState(request), replayed: false };
      }
      // The key was used for an action that has already closed: answer with that action.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !input.idempotencyKey) throw asDomainError(err, actionId);
      state = (await this.get(actionId)).state;
    }
    const replayed = state.request.requestedAt !== request.requestedAt;
    if (replayed && fingerprint(state.request) !== fingerprint(request)) throw new IdempotencyKeyReusedError('request');
    return { state, replayed };
  }

  private async confirmStarted(actionId: string): Promise<void> {
    try {
      // Bounded: an unreachable server is retried by the client until the deadline.
      await this.withinDeadline(() => this.client.workflow.getHandle(actionId).describe());
    } catch (err) {
      throw new TemporalUnavailableError('the request could not be recorded; retry with the same Idempotency-Key', { cause: err });
    }
  }

  /**
   * The full state, from the workflow's `status` query. If no worker answers in time, what history
   * alone tells (the request, and the status from visibility) with `live: false`; if Temporal itself
   * cannot be reached, TemporalUnavailableError.
   */
  async get(actionId: string): Promise<ActionRead> {
    const handle = this.client.workflow.getHandle(actionId);
    try {
      return { state: await this.withinDeadline(() => handle.query(statusQuery)), live: true };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new ActionNotFoundError(actionId);
      if (!(await temporalReachable(this.client))) throw new TemporalUnavailableError(undefined, { cause: err });
      try {
        // A completed workflow's result is its final state, whole: no worker needed to know it.
        const final = await this.withinDeadline(() => this.finalState(actionId));
        if (final) return { state: final, live: true };
        return { state: await this.withinDeadline(() => this.fromHistory(actionId)), live: false };
      } catch (fallbackErr) {
        throw asDomainError(fallbackErr, actionId);
      }
    }
  }

  /**
   * After a long poll saw the close: the result in the close event is the final state, whole, and
   * reading it is one history call, where a query would make a worker replay the whole history
   * (about 40 ms of a gateway call's 140, measured by `npm run bench -- gateway`).
   */
  async getClosed(actionId: string): Promise<ActionRead> {
    try {
      const final = await this.withinDeadline(() => this.finalState(actionId));
      if (final) return { state: final, live: true };
    } catch (err) {
      if (!(await temporalReachable(this.client))) throw new TemporalUnavailableError(undefined, { cause: err });
    }
    return this.get(actionId);
  }

  /** Resolves once the action's workflow has closed, or when `signal` aborts; Temporal long-polls, nothing polls here. */
  async waitForClose(actionId: string, signal: AbortSignal): Promise<void> {
    try {
      await waitForClose(this.client, actionId, signal);
    } catch (err) {
      throw asDomainError(err, actionId);
    }
  }

  /**
   * A reviewer's vote. The workflow's validator refuses bad ones without touching history, so a
   * refusal is recorded in the audit trail here (idempotently per update id) before it is answered.
   */
  async decide(actionId: string, decision: DecideInput, updateId?: string): Promise<ActionState> {
    const update = updateId ?? freshUpdateId(`${decision.channel}:${decision.reviewer}`);
    const signed: DecideInput = { ...decision, proof: this.signer.signDecision(actionId, update, decision) };
    let state: ActionState;
    try {
      const handle = this.client.workflow.getHandle(actionId);
      state = await this.withinDeadline(() => handle.executeUpdate(decideUpdate, { args: [signed], updateId: update }));
    } catch (err) {
      const mapped = await this.unavailableCause(await this.closedNotMissing(asDomainError(err, actionId), actionId, RefusalCode.ActionClosed));
      if (mapped instanceof ActionRefusedError && mapped.code !== RefusalCode.NotCancellable) {
        await this.recordRefusedVote(actionId, decision, mapped, updateId);
      }
      throw mapped;
    }
    // Temporal answers a repeated Update id with the first Update's outcome, whatever this one said.
    const recorded = state.votes.find((vote) => vote.updateId === update);
    if (recorded && (recorded.verdict !== decision.verdict || (recorded.comment ?? '') !== (decision.comment ?? ''))) {
      throw new IdempotencyKeyReusedError('decision');
    }
    return state;
  }

  private async recordRefusedVote(actionId: string, decision: DecideInput, refusal: ActionRefusedError, updateId?: string): Promise<void> {
    try {
      // What goes on record, and how much of it, is api/refused-votes.ts's decision: a bounded few per reviewer and action.
      await this.refusedVotes.record({ actionId, decision, refusal, ...(updateId ? { updateId } : {}) });
    } catch (err) {
      // Nothing changed, but a refusal must not go unrecorded: the caller retries and is refused again.
      throw new AuditUnavailableError({ cause: err });
    }
  }

  /** The requester's (or an admin's) cancel; `updateId` makes a retried cancel return the first one's result. */
  async cancel(actionId: string, by: string, reason?: string, updateId?: string): Promise<ActionState> {
    const update = updateId ?? freshUpdateId(`cancel:${by}`);
    const request: CancelInput = { by, ...(reason ? { reason } : {}) };
    const signed: CancelInput = { ...request, proof: this.signer.signCancel(actionId, update, request) };
    let state: ActionState;
    try {
      const handle = this.client.workflow.getHandle(actionId);
      state = await this.withinDeadline(() => handle.executeUpdate(cancelUpdate, { args: [signed], updateId: update }));
    } catch (err) {
      throw await this.unavailableCause(
        await this.closedNotMissing(asDomainError(err, actionId, RefusalCode.NotCancellable), actionId, RefusalCode.NotCancellable),
      );
    }
    const recorded = state.cancellation;
    if (recorded?.updateId === update && (recorded.by !== by || (recorded.reason ?? '') !== (reason ?? ''))) {
      throw new IdempotencyKeyReusedError('cancel');
    }
    return state;
  }

  /**
   * An Update that races the workflow's completion can come back as NOT_FOUND. If the workflow
   * exists it has closed: say so (a refusal), not that the action is unknown.
   */
  private async closedNotMissing(mapped: unknown, actionId: string, closedCode: RefusalCode): Promise<unknown> {
    if (!(mapped instanceof ActionNotFoundError)) return mapped;
    try {
      const description = await this.client.workflow.getHandle(actionId).describe();
      if (description.status.name !== 'RUNNING') return new ActionRefusedError(closedCode, 'the action has already finished');
    } catch {
      // Really not found (or Temporal unreachable): not found stands.
    }
    return mapped;
  }

  /**
   * A vote or cancel that no worker answered in time may have found no Temporal at all (the client
   * retries an unreachable server until the deadline): say which, so operators look in the right place.
   */
  private async unavailableCause(mapped: unknown): Promise<unknown> {
    if (!(mapped instanceof WorkerUnavailableError)) return mapped;
    return (await temporalReachable(this.client)) ? mapped : new TemporalUnavailableError();
  }

  /**
   * Progress of a running operation: the execute activity's last heartbeat details (e.g. objects
   * copied so far), from Temporal's record of the pending activity. Undefined when none.
   */
  async progress(actionId: string): Promise<unknown> {
    const description = await this.client.workflow
      .getHandle(actionId)
      .describe()
      .catch((err: unknown) => {
        throw asDomainError(err, actionId);
      });
    const pending = description.raw.pendingActivities?.find((activity) => activity.activityType?.name === 'executeOperation');
    const payloads = pending?.heartbeatDetails?.payloads;
    if (!payloads?.length) return undefined;
    const details = await decodeFromPayloadsAtIndex<unknown>(this.client.workflow.options.loadedDataConverter, 0, payloads);
    return { ...(details as object), attempt: pending?.attempt ?? 1 };
  }

  /** Queries and Updates need a worker; without one they would wait for the server's own timeout. */
  private withinDeadline<T>(call: () => Promise<T>): Promise<T> {
    return this.client.connection.withDeadline(Date.now() + this.admissionTimeoutMs, call);
  }

  /** The state a completed workflow returned, from its close event; undefined while it runs (or if it failed). */
  private async finalState(actionId: string): Promise<ActionState | undefined> {
    const closing = await this.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.client.options.namespace,
      execution: { workflowId: actionId },
      historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
    });
    const payloads = closing.history?.events?.[0]?.workflowExecutionCompletedEventAttributes?.result?.payloads;
    if (!payloads?.length) return undefined;
    return decodeFromPayloadsAtIndex<ActionState>(this.client.workflow.options.loadedDataConverter, 0, payloads);
  }

  /** The request from the workflow's start event and the status from its search attribute. */
  private async fromHistory(actionId: string): Promise<ActionState> {
    const handle = this.client.workflow.getHandle(actionId);
    const [description, firstPage] = await Promise.all([
      handle.describe(),
      this.client.workflowService.getWorkflowExecutionHistory({
        namespace: this.client.options.namespace,
        execution: { workflowId: actionId },
        maximumPageSize: 1,
      }),
    ]);
    const started = firstPage.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
    const request = await decodeFromPayloadsAtIndex<ActionRequestInput>(this.client.workflow.options.loadedDataConverter, 0, started?.input?.payloads);
    const status = (description.typedSearchAttributes.get(StatusAttribute) ?? ActionStatus.Evaluating) as ActionStatus;
    return { actionId, status, request, votes: [], updatedAt: request.requestedAt };
  }

  /** Lists actions from Temporal visibility, newest first. Filter values are validated by the caller. */
  async list(filter: ActionListFilter): Promise<ActionSummary[]> {
    const clauses = [`WorkflowType = '${PRIVILEGED_ACTION_WORKFLOW}'`];
    if (filter.status) clauses.push(`${StatusAttribute.name} = '${filter.status}'`);
    if (filter.action) clauses.push(`${ActionAttribute.name} = '${filter.action}'`);
    if (filter.requester) clauses.push(`${RequesterAttribute.name} = '${filter.requester}'`);
    if (filter.ownTaskQueue) clauses.push(`TaskQueue = '${this.taskQueue.replace(/'/g, "\\'")}'`);
    try {
      return await this.visible(clauses.join(' AND '), filter.limit);
    } catch (err) {
      throw unreachableAsDomainError(err);
    }
  }

  /** The executions visibility finds for `query`, newest first, at most `limit`. */
  private async visible(query: string, limit: number): Promise<ActionSummary[]> {
    const results: ActionSummary[] = [];
    for await (const execution of this.client.workflow.list({ query, pageSize: limit })) {
      const attributes = execution.typedSearchAttributes;
      results.push({
        id: execution.workflowId,
        action: attributes.get(ActionAttribute),
        requester: attributes.get(RequesterAttribute),
        status: attributes.get(StatusAttribute),
        startedAt: execution.startTime.toISOString(),
        ...(execution.closeTime ? { closedAt: execution.closeTime.toISOString() } : {}),
      });
      if (results.length >= limit) break;
    }
    return results;
  }
}

/** The state a just-started action has before any worker has picked it up. */
function evaluatingState(request: ActionRequestInput): ActionState {
  return { actionId: request.actionId, status: ActionStatus.Evaluating, request, votes: [], updatedAt: request.requestedAt };
}

/** What makes two requests "the same" for idempotency: everything but the receipt time. */
function fingerprint(request: Omit<ActionRequestInput, 'proof'>): string {
  const { action, params, justification, context, requester, callbackUrl } = request;
  return createHash('sha256')
    .update(canonicalJson({ action, params, justification, context: context ?? null, requester: requester.id, callbackUrl: callbackUrl ?? null }))
    .digest('hex');
}

/** Markdown shown in the Temporal UI: who, what, why. */
function staticDetails(request: ActionRequestInput): string {
  const params = Object.entries(request.auditParams ?? request.params)
    .map(([key, value]) => `- \`${key}\`: ${JSON.stringify(value)}`)
    .join('\n');
  return [
    `**Requester:** ${request.requester.id} (via ${request.requester.source})`,
    `**Action:** ${request.action}`,
    `**Params:**\n${params}`,
    `**Justification:** ${request.justification}`,
  ].join('\n\n');
}
