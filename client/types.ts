// The API's public shapes, written out so the client needs none of the server's code. The server
// checks at compile time that what it answers is exactly these (api/action-view.ts, api/catalogue-view.ts).

/** A plain JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Every state an action can be in; `isTerminal` tells the final ones. */
export type ActionStatus =
  'evaluating' | 'pending_review' | 'approved' | 'executing' | 'succeeded' | 'failed' | 'denied' | 'rejected' | 'expired' | 'cancelled';

/** One privileged action to ask for (`POST /v1/actions`). */
export interface ActionRequest {
  /** A catalogue name, e.g. `s3.copyObject` (see `listActions()`). */
  action: string;
  /** Checked against the action's `paramsSchema`. */
  params: Record<string, unknown>;
  /** Why, for the reviewers: at least 10 characters. */
  justification: string;
  /** Free-form context for the audit trail, e.g. `{ ticket: 'FIN-123' }`. */
  context?: Record<string, string> | undefined;
  /** Where Airlock POSTs the signed outcome; its host must be allowed by the operator. */
  callbackUrl?: string | undefined;
}

/** One operation an agent may ask for, and what policy will make of its requests. */
export interface CatalogueEntry {
  name: string;
  title: string;
  description: string;
  /** True when running it twice has the same effect as once. */
  idempotent: boolean;
  /** JSON Schema (2020-12) of `params`. */
  paramsSchema: Record<string, unknown>;
  /**
   * For the caller's own requests: `required` (humans review every one), `not_required` (allowed
   * at once), `denied` (always refused), `depends_on_params` (the params or their preview decide).
   */
  review: 'required' | 'not_required' | 'denied' | 'depends_on_params';
  /** For `mcp.<server>.<tool>` entries: the downstream MCP tool the gateway fronts. */
  tool?: { server: string; name: string; annotations: ToolAnnotations } | undefined;
}

export interface Failure {
  type: string;
  message: string;
}

export interface ActionPreviewFacts {
  /** Machine-readable facts; policy rules match on them as `preview.<name>`. */
  facts: { [name: string]: string | number | boolean | null };
  notes: string[];
  /** What deserves a reviewer's attention, e.g. widened access. */
  warnings: string[];
  detail?: string | undefined;
  /**
   * What the execution is bound to (an ETag, a digest of the policy a diff was computed against):
   * if it no longer holds when the action runs, the action fails with `precondition_failed`.
   */
  preconditions?: JsonObject | undefined;
}

/** What the operation would change, read before review; `{ error }` when it could not be read. */
export type ActionPreview = ActionPreviewFacts | { error: Failure };

export interface Vote {
  reviewer: string;
  verdict: 'approve' | 'reject';
  comment?: string | undefined;
  /** `api`, `slack`, `teams`, `console` */
  channel: string;
  at: string;
  /** For console votes: the sign-in behind the vote (`auth_time` as `authTime`, `acr`, `amr`). */
  signIn?: { issuer: string; authTime: string | null; acr?: string | undefined; amr?: string[] | undefined } | undefined;
}

export interface ActionReview {
  approverGroups: string[];
  /** Who may vote now, escalated approvers included. */
  eligibleApprovers: string[];
  /** IdP groups whose members may vote now through the console. */
  eligibleIdpGroups?: string[] | undefined;
  quorum: number;
  /** Reviewers who approved so far. */
  approvals: string[];
  deadline: string | null;
  channels: string[];
  /** Step-up: votes count only from a console sign-in at most this old. */
  stepUpMaxAgeMs?: number | undefined;
  reminders: { at: string; pending: string[] }[];
  escalation: { approverGroups: string[]; afterMs: number; escalatedAt: string | null; addedApprovers: string[] | null } | null;
}

export interface ExecutionResult {
  summary: string;
  /** Non-secret outputs: ids, ARNs, counts. */
  outputs: { [key: string]: string | number | boolean };
  /** The STS session the operation ran as; names only, never credentials. Absent when it ran without AWS credentials (an MCP gateway tool). */
  session?: { roleArn: string; roleSessionName: string; sourceIdentity: string } | undefined;
  /** An MCP gateway tool's answer, as its server gave it (MCP `CallToolResult`). */
  toolResult?: ToolResult | undefined;
  completedAt: string;
}

/** An MCP tool's answer (MCP `CallToolResult`). */
export interface ToolResult {
  content: JsonValue[];
  structuredContent?: JsonObject | undefined;
  isError?: boolean | undefined;
}

/** MCP tool annotations: hints the downstream server gave (or the gateway config set). */
export interface ToolAnnotations {
  title?: string | undefined;
  readOnlyHint?: boolean | undefined;
  destructiveHint?: boolean | undefined;
  idempotentHint?: boolean | undefined;
  openWorldHint?: boolean | undefined;
}

export interface Notification {
  /** e.g. `slack:#data-approvals`, or `callback`. */
  target: string;
  status: 'sent' | 'failed';
  ref?: { channel: string; ts: string } | undefined;
  error?: Failure | undefined;
  at: string;
  purpose?: 'reminder' | 'escalation' | undefined;
}

/** One action as the API shows it (docs/api.md); nothing secret is ever in it. */
export interface ActionView {
  id: string;
  status: ActionStatus;
  action: string;
  params: JsonObject;
  justification: string;
  context: JsonObject | null;
  requester: { id: string; source: string };
  requestedAt: string;
  /** One line saying exactly what the operation does. */
  summary: string | null;
  preview: ActionPreview | null;
  policy: { effect: 'deny' | 'allow' | 'review'; ruleId: string; reason: string; risk: 'low' | 'medium' | 'high' | 'critical'; policyHash: string } | null;
  review: ActionReview | null;
  votes: Vote[];
  cancellation: { by: string; reason?: string | undefined; at: string } | null;
  result: ExecutionResult | null;
  error: Failure | null;
  notifications: Notification[];
  updatedAt: string;
  closedAt: string | null;
  links: { self: string; decisions: string; cancel: string; temporalUi?: string | undefined };
  /** Only in `get()` answers: `false` when no worker answered and the state was rebuilt from history. */
  live?: boolean | undefined;
  /** Only in `get()` answers: while `executing`, the operation's last reported progress. */
  progress?: { [key: string]: string | number | boolean } | null | undefined;
}
