/**
 * What the edges do to actions: the HTTP routes, the Slack and Teams inbound handlers, anything
 * added later. They depend on this contract, never on its implementation: api/actions-service.ts
 * implements it over Temporal, and the API hands that to the channels it registers, so channels/
 * needs nothing from api/. Types only (nothing at run time): safe for every layer.
 *
 * Every method fails with the errors of ./errors.ts for each condition it knows (refused, not
 * found, unavailable, ...); anything else is a bug, which edges treat as internal.
 */
import type { ActionState, DecideInput, JsonObject, RequestOrigin, Requester } from './types';

/** A new request, with the requester the edge authenticated. */
export interface SubmitInput {
  action: string;
  params: JsonObject;
  justification: string;
  context?: JsonObject;
  requester: Requester;
  idempotencyKey?: string;
  callbackUrl?: string;
  origin?: RequestOrigin;
}

/** The action a request started (or, with a reused Idempotency-Key, found). */
export interface SubmitResult {
  state: ActionState;
  /** True when an earlier request with the same Idempotency-Key created this action. */
  replayed: boolean;
}

/** An action's state as read now. */
export interface ActionRead {
  state: ActionState;
  /** False when no worker answered and the state was rebuilt from history and visibility. */
  live: boolean;
}

/** One line of a list of actions, from Temporal visibility. */
export interface ActionSummary {
  id: string;
  action?: string | undefined;
  requester?: string | undefined;
  status?: string | undefined;
  startedAt: string;
  closedAt?: string | undefined;
}

/** Which actions to list; values are validated by the caller. */
export interface ActionListFilter {
  status?: string | undefined;
  action?: string | undefined;
  requester?: string | undefined;
  /** Only actions on the task queue this service starts them on: this deployment's, not another's sharing the namespace. */
  ownTaskQueue?: boolean | undefined;
  limit: number;
}

/** Identity is always passed in by the caller, from its own authentication. */
export interface ActionsPort {
  /** Validates, starts the action and waits (briefly) for policy's answer. */
  submit(input: SubmitInput): Promise<SubmitResult>;
  /** The action's full state; `live: false` when it had to be rebuilt without a worker. */
  get(actionId: string): Promise<ActionRead>;
  /** Resolves once the action has closed, or when `signal` aborts. */
  waitForClose(actionId: string, signal: AbortSignal): Promise<void>;
  /** The state of an action whose workflow has closed: from its close event (no worker needs to replay it), else as `get`. */
  getClosed(actionId: string): Promise<ActionRead>;
  /** A reviewer's vote; `updateId` makes a retried vote count once. */
  decide(actionId: string, decision: DecideInput, updateId?: string): Promise<ActionState>;
  /** The requester's (or an admin's) cancel; `updateId` makes a retried cancel return the first one's result. */
  cancel(actionId: string, by: string, reason?: string, updateId?: string): Promise<ActionState>;
  /** The running operation's last progress report, if any. */
  progress(actionId: string): Promise<unknown>;
  /** Actions newest first. */
  list(filter: ActionListFilter): Promise<ActionSummary[]>;
}
