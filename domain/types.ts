/**
 * Types shared by workflow, activity, API and channel code. No Node or SDK imports here:
 * this module is bundled into the deterministic workflow sandbox.
 */
import type { IdentityProof } from './identity-proof';
import type { StoredMessageRef } from './message-ref';

export type { IdentityProof } from './identity-proof';
export type { MessageRef, RecordedMessageRef, StoredMessageRef } from './message-ref';

/** Every state an action can be in. Terminal states end the workflow. */
export const ActionStatus = {
  Evaluating: 'evaluating',
  PendingReview: 'pending_review',
  Approved: 'approved',
  Executing: 'executing',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Denied: 'denied',
  Rejected: 'rejected',
  Expired: 'expired',
  Cancelled: 'cancelled',
} as const;
export type ActionStatus = (typeof ActionStatus)[keyof typeof ActionStatus];

export const ACTION_STATUSES: readonly ActionStatus[] = Object.values(ActionStatus);

/** Statuses that settle an action's fate (the time of the first one is `AirlockDecisionTime`). */
export const DECISION_STATUSES: readonly ActionStatus[] = [
  ActionStatus.Approved,
  ActionStatus.Rejected,
  ActionStatus.Denied,
  ActionStatus.Expired,
  ActionStatus.Cancelled,
];

export const TERMINAL_STATUSES: readonly ActionStatus[] = [
  ActionStatus.Succeeded,
  ActionStatus.Failed,
  ActionStatus.Denied,
  ActionStatus.Rejected,
  ActionStatus.Expired,
  ActionStatus.Cancelled,
];

/** A plain JSON value: what params, context and results are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Who asked, as established by authentication (never taken from a request body). */
export interface Requester {
  /** Identity id, e.g. `etl-bot`. */
  id: string;
  /** How the request arrived, e.g. `api`, `mcp`. */
  source: string;
}

/** The workflow input: one privileged action, already validated at the edge. */
export interface ActionRequestInput {
  actionId: string;
  /** Catalogue name, e.g. `s3.copyObject`. */
  action: string;
  params: JsonObject;
  justification: string;
  requester: Requester;
  context?: JsonObject;
  /** ISO timestamp of receipt at the API. */
  requestedAt: string;
  /** Where Airlock POSTs the final outcome (signed), if the requester asked for it. */
  callbackUrl?: string;
  /** The network origin of the request, for the audit trail. */
  origin?: RequestOrigin;
  /**
   * The params as the audit trail records them, when some are recorded only as a digest
   * (domain/audit-redaction.ts); the proof signs this form, and the worker checks it against `params`.
   */
  auditParams?: JsonObject;
  /** The API's signature over this whole request (domain/identity-proof.ts); a start without a valid one runs nothing. */
  proof?: IdentityProof;
}

/** Where a request came from on the network, as the API saw it. */
export interface RequestOrigin {
  ip: string;
  userAgent?: string;
}

export type PolicyEffect = 'deny' | 'allow' | 'review';
export type Risk = 'low' | 'medium' | 'high' | 'critical';

/** Review requirements resolved by policy for one request. */
export interface ReviewRequirement {
  /** Group names from the policy, for display. */
  approverGroups: string[];
  /** Identity ids allowed to vote: the groups expanded, the requester already removed. */
  eligibleApprovers: string[];
  /**
   * IdP groups whose members may vote too (the approver groups' `idpGroups`, distinct, sorted):
   * who they are is known only from a vote's signed sign-in (domain/approver-pool.ts). Present only
   * when the policy names some, so other decisions keep their shape; older histories lack it.
   */
  poolIdpGroups?: string[];
  /** Distinct approvals needed. */
  quorum: number;
  /** How long reviewers have before the request expires. */
  timeoutMs: number;
  /** Where the request is announced, e.g. `api`, `slack:#data-approvals`. */
  channels: string[];
  /** Remind reviewers who have not voted this long before the deadline, earliest reminder first. */
  remindBeforeMs?: number[];
  /** Widen the review when no decision has come this long after it opened. */
  escalation?: EscalationRequirement;
  /**
   * Step-up (policy `stepUp.maxAge`): a vote counts only from a console sign-in at most this old
   * when it is cast; chat clicks and API keys cannot satisfy it. Present only when the rule sets it.
   */
  stepUpMaxAgeMs?: number;
}

/** Who else may vote, and where they are told, once a review has waited too long. */
export interface EscalationRequirement {
  afterMs: number;
  /** Group names from the policy, for display. */
  approverGroups: string[];
  /** Members of those groups, the requester already removed; they may vote once escalated. */
  eligibleApprovers: string[];
  /** IdP groups of those groups whose members may vote once escalated, as for the review; present only when there are some. */
  poolIdpGroups?: string[];
  channels: string[];
}

/** The outcome of policy evaluation, recorded in history with the policy hash. */
export interface PolicyDecision {
  effect: PolicyEffect;
  /** Id of the rule that matched, or `default` when none did. */
  ruleId: string;
  /** Human-readable reason (why denied, why review is needed). */
  reason: string;
  risk: Risk;
  /** sha256 of the policy file that decided, for audit. */
  policyHash: string;
  /** Present only when effect is `review`. */
  review?: ReviewRequirement;
}

/** Facts about the operation the workflow needs but cannot import (the catalogue uses the AWS SDK). */
export interface OperationFacts {
  /** Safe to retry the execute activity blindly. */
  idempotent: boolean;
  /** One line describing exactly what will happen, e.g. `copy s3://a/k to s3://b/k`. */
  summary: string;
}

/** A flat fact value: what policy rules match on (`preview.<name>`) and reviewers read. */
export type PreviewFact = string | number | boolean | null;

/**
 * What an operation would change, computed before review with read-only credentials.
 * Shown to reviewers in every channel and in the API; its facts can drive policy.
 */
export interface OperationPreview {
  /** Machine-readable facts, e.g. `{ sourceBytes: 1048576, destinationExists: true }`. */
  facts: { [name: string]: PreviewFact };
  /** One line each, for people: "s3://b/k exists and would be overwritten (2.1 MB, 2026-11-01)". */
  notes: string[];
  /** Things that deserve a reviewer's attention, e.g. "widens access: adds iam:PassRole on *". */
  warnings: string[];
  /** Optional longer text, such as a readable policy diff. */
  detail?: string;
  /**
   * What execution must still find true for the change to be the one previewed (an ETag, a digest
   * of the policy the diff was computed against): read with the facts, checked when it runs.
   */
  preconditions?: JsonObject;
}

/** The preview as the action records it: the operation's preview, or why there is none. */
export type ActionPreview = OperationPreview | { error: { type: string; message: string } };

/**
 * What the `evaluatePolicy` activity returns. Without preview facts in its input, `decision` is
 * absent when a rule that needs them is reached before any rule decides (`needsPreview`).
 */
export interface PolicyEvaluation {
  decision: PolicyDecision;
  operation: OperationFacts;
}

export interface PolicyEvaluationBeforePreview {
  decision?: PolicyDecision;
  needsPreview: boolean;
  operation: OperationFacts;
}

export type Verdict = 'approve' | 'reject';

/** The argument of the `decide` Update. The reviewer id comes from the authenticated channel. */
export interface DecideInput {
  reviewer: string;
  verdict: Verdict;
  comment?: string;
  /** `api`, `slack`, `teams`, `console`. */
  channel: string;
  /** How the reviewer signed in, when through an identity provider (the console); signed with the rest. */
  authentication?: VoteAuthentication;
  /** The authenticating edge's signature, bound to this action and this Update's id; required. */
  proof?: IdentityProof;
}

/**
 * The sign-in behind a vote cast in the console, as the identity provider's id token stated it:
 * who (issuer and subject), when (`auth_time`), how (`acr`, `amr`) and the IdP groups that may make
 * the reviewer an approver. Step-up rules are checked against `authTime`.
 */
export interface VoteAuthentication {
  method: 'oidc';
  issuer: string;
  subject: string;
  /** Seconds since the epoch; absent when the provider did not say (then no step-up is satisfied). */
  authTime?: number;
  acr?: string;
  amr?: string[];
  idpGroups?: string[];
}

export interface Vote {
  reviewer: string;
  verdict: Verdict;
  comment?: string;
  channel: string;
  /** The console sign-in behind the vote (absent for API keys, Slack, Teams, and in older histories). */
  authentication?: VoteAuthentication;
  at: string;
  /** The Update that carried it (absent in histories recorded before signed identities). */
  updateId?: string;
  proof?: IdentityProof;
}

/** The argument of the `cancel` Update. */
export interface CancelInput {
  by: string;
  reason?: string;
  /** The authenticating edge's signature, bound to this action and this Update's id; required. */
  proof?: IdentityProof;
}

/** What the `executeOperation` activity receives. */
export interface ExecuteOperationInput {
  actionId: string;
  action: string;
  params: JsonObject;
  requester: Requester;
  approvers: string[];
  /** The preview's preconditions, when it had any: execution fails `precondition_failed` if they no longer hold. */
  preconditions?: JsonObject;
  /**
   * The audit event id the workflow reserved for `operation.succeeded`: the activity stores that
   * event itself before it returns (domain/operation-result-event.ts). Absent (release 0.1.0's
   * workflows): the workflow records it.
   */
  resultEventId?: string;
}

/** The non-secret outcome of one operation: ids, ARNs, counts. Never credentials. */
export interface ExecutionResult {
  summary: string;
  outputs: { [key: string]: string | number | boolean };
  /**
   * The STS session the operation ran as (names only, nothing secret). Absent when it ran without
   * AWS credentials: an MCP gateway tool whose server holds its own secrets.
   */
  session?: { roleArn: string; roleSessionName: string; sourceIdentity: string };
  /**
   * What an MCP gateway tool answered, as its server gave it, for the agent that called it. Kept in
   * the action's state (workflow history, encrypted by the payload codec) and shown to those who may
   * read the action; never in the audit trail, which records its digest and size (outputs).
   */
  toolResult?: ToolResult;
  completedAt: string;
  /** Set by the execute activity, never kept in the action's state: it stored the `operation.succeeded` event itself. */
  recorded?: boolean;
}

/**
 * MCP tool annotations: hints a downstream MCP server gives about one of its tools, or the gateway
 * config sets in their place. MCP's defaults for an absent hint: readOnlyHint false,
 * destructiveHint true, idempotentHint false, openWorldHint true.
 */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** An MCP tool's answer (MCP `CallToolResult`): content blocks, structured content, whether the tool reported an error. */
export interface ToolResult {
  content: JsonValue[];
  structuredContent?: JsonObject;
  isError?: boolean;
}

/** One delivery of a request or outcome to a channel (Slack or Teams message, callback). */
export interface NotificationRecord {
  /** As named in policy, e.g. `slack:#data-approvals`, or `callback`. */
  target: string;
  status: 'sent' | 'failed';
  /** Where the message is, for updates and thread notices. Older actions hold `{ channel, ts }`: read it with readMessageRef. */
  ref?: StoredMessageRef;
  error?: { type: string; message: string };
  at: string;
  /** Set for a thread notice; absent for the review message itself and the callback. */
  purpose?: ReviewNotice['kind'];
}

/** One reminder: when, and who had not voted. Its posts are notifications with purpose `reminder`. */
export interface ReminderRecord {
  at: string;
  /** Eligible approvers who had not voted at the time. */
  pending: string[];
}

/** The escalation of a review: who was added. Its posts are notifications with purpose `escalation`. */
export interface EscalationRecord {
  at: string;
  approverGroups: string[];
  /** Approvers eligible only through the escalation. */
  addedApprovers: string[];
}

/** A short message in the thread of a posted review: a reminder, or the news of an escalation. */
export interface ReviewNotice {
  kind: 'reminder' | 'escalation';
  actionId: string;
  /** Identity ids to mention (channels map them to their own user ids). */
  mention: string[];
  approvals: number;
  quorum: number;
  deadline?: string;
  /** Escalation: the groups whose members may now vote. */
  approverGroups?: string[];
}

/** The full state of one action, as the `status` query returns it. */
export interface ActionState {
  actionId: string;
  status: ActionStatus;
  request: ActionRequestInput;
  policy?: PolicyDecision;
  operation?: OperationFacts;
  preview?: ActionPreview;
  votes: Vote[];
  /** ISO timestamp after which the request expires (review only). */
  deadline?: string;
  cancellation?: CancelInput & { at: string; updateId?: string };
  result?: ExecutionResult;
  error?: { type: string; message: string };
  notifications?: NotificationRecord[];
  /** Reminders sent to reviewers who had not voted yet. */
  reminders?: ReminderRecord[];
  /** Set once the review was escalated. */
  escalation?: EscalationRecord;
  updatedAt: string;
  /** Set when the action reached a terminal status. */
  closedAt?: string;
}

/** Stable codes for refused decisions and cancellations; the API maps them to HTTP statuses. */
export const RefusalCode = {
  SelfApproval: 'self_approval',
  NotAnApprover: 'not_an_approver',
  AlreadyVoted: 'already_voted',
  ActionClosed: 'action_closed',
  NotPendingReview: 'not_pending_review',
  NotCancellable: 'not_cancellable',
  CommentRequired: 'comment_required',
  /** No valid signature from Airlock's identity layer: sent around the API, replayed, stale or forged. */
  IdentityUnverified: 'identity_unverified',
  /** The rule asks for a recent sign-in (`stepUp`): the vote came from an older one, or not from the console. */
  StepUpRequired: 'step_up_required',
} as const;
export type RefusalCode = (typeof RefusalCode)[keyof typeof RefusalCode];
