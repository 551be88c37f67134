import { z } from 'zod';
import { REVIEW_OUTLOOKS } from '../policy/review-outlook';
import { AuditEventKind } from '../domain/audit-events';
import { ActionStatus } from '../domain/types';
import { ACTION_ID_PATTERN } from '../domain/action-id';

// What the API answers, in zod: the routes declare these as their responses, so the OpenAPI document
// and the handlers' types come from them (`actionView()` is typed by `ActionView` below). Tests parse
// real responses with them, strictly, so a field added to a response without being added here fails.

const timestamp = z.string().meta({ format: 'date-time', description: 'ISO 8601 time in UTC, e.g. 2026-11-21T13:00:00.000Z' });

/** Recursive, so the document must name it (JSON Schema refers to itself by name). */
export const jsonValue = z.json().register(z.globalRegistry, { id: 'JsonValue', description: 'Any JSON value' });
export const jsonObject = z.record(z.string(), jsonValue);

/** `{ error: { code, message, issues? } }`: every error the API answers. */
export const errorBody = z.strictObject({
  error: z.strictObject({
    code: z.string().describe('Stable and machine-readable, e.g. `invalid_params`; branch on it, not on the message'),
    message: z.string().describe('For people; may change'),
    issues: z
      .array(z.strictObject({ path: z.string().describe('e.g. `body.params.sourceKey`'), message: z.string() }))
      .optional()
      .describe('Every validation problem, so all can be fixed at once'),
  }),
});

export const actionStatus = z.enum(ActionStatus);

const requester = z.strictObject({
  id: z.string().describe('Identity id of the API key that asked'),
  source: z.string().describe('How the request arrived, e.g. `api`'),
});

const failure = z.strictObject({ type: z.string(), message: z.string() });

const previewFact = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const actionPreview = z.union([
  z.strictObject({
    facts: z.record(z.string(), previewFact).describe('Machine-readable facts; policy rules match on them as `preview.<name>`'),
    notes: z.array(z.string()),
    warnings: z.array(z.string()).describe("What deserves a reviewer's attention, e.g. widened access"),
    detail: z.string().optional().describe('Longer text, such as a readable policy diff'),
    preconditions: jsonObject
      .optional()
      .describe(
        'What the execution is bound to, read with the facts (an ETag, a digest of the policy a diff was computed against): ' +
          'if it no longer holds when the action runs, the action fails with `precondition_failed`',
      ),
  }),
  z.strictObject({ error: failure }).describe('The preview could not be read'),
]);

export const policyDecision = z.strictObject({
  effect: z.enum(['deny', 'allow', 'review']),
  ruleId: z.string().describe('The rule that matched, or `default`'),
  reason: z.string(),
  risk: z.enum(['low', 'medium', 'high', 'critical']),
  policyHash: z.string().describe('sha256 of the policy file that decided'),
});

export const review = z.strictObject({
  approverGroups: z.array(z.string()),
  eligibleApprovers: z.array(z.string()).describe('Who may vote now, escalated approvers included'),
  eligibleIdpGroups: z.array(z.string()).optional().describe('IdP groups whose members may vote now through the console (policy groups with `idpGroups`)'),
  quorum: z.number().int().min(1),
  approvals: z.array(z.string()).describe('Reviewers who approved so far'),
  deadline: timestamp.nullable(),
  channels: z.array(z.string()),
  stepUpMaxAgeMs: z.number().int().optional().describe('Step-up: votes count only from a console sign-in at most this old (docs/console.md#step-up)'),
  reminders: z.array(z.strictObject({ at: timestamp, pending: z.array(z.string()).describe('Approvers who had not voted') })),
  escalation: z
    .strictObject({
      approverGroups: z.array(z.string()),
      afterMs: z.number().int(),
      escalatedAt: timestamp.nullable(),
      addedApprovers: z.array(z.string()).nullable(),
    })
    .nullable()
    .describe('`null` when the rule has no escalation; `escalatedAt` and `addedApprovers` are `null` until it happened'),
});

export const vote = z.strictObject({
  reviewer: z.string(),
  verdict: z.enum(['approve', 'reject']),
  comment: z.string().optional(),
  channel: z.string().describe('`api`, `slack`, `teams`, `console`'),
  at: timestamp,
  signIn: z
    .strictObject({
      issuer: z.string(),
      authTime: timestamp.nullable().describe('When the identity provider last authenticated the reviewer (`auth_time`)'),
      acr: z.string().optional(),
      amr: z.array(z.string()).optional(),
    })
    .optional()
    .describe('For console votes: the sign-in behind the vote'),
});

export const executionResult = z.strictObject({
  summary: z.string(),
  outputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('Non-secret outputs: ids, ARNs, counts'),
  session: z
    .strictObject({ roleArn: z.string(), roleSessionName: z.string(), sourceIdentity: z.string() })
    .optional()
    .describe('The STS session the operation ran as; names only, never credentials. Absent when it ran without AWS credentials (an MCP gateway tool)'),
  toolResult: z
    .strictObject({ content: z.array(jsonValue), structuredContent: jsonObject.optional(), isError: z.boolean().optional() })
    .optional()
    .describe("An MCP gateway tool's answer as its server gave it (MCP `CallToolResult`); the audit trail records only its digest and size"),
  completedAt: timestamp,
});

export const notification = z.strictObject({
  target: z.string().describe('e.g. `slack:#data-approvals`, or `callback`'),
  status: z.enum(['sent', 'failed']),
  ref: z.strictObject({ channel: z.string(), ts: z.string() }).optional(),
  error: failure.optional(),
  at: timestamp,
  purpose: z.enum(['reminder', 'escalation']).optional().describe("Set for a notice in a review message's thread"),
});

/** What `actionView` returns: the answer of `POST /v1/actions`, decisions and cancels. */
export const actionView = z.strictObject({
  id: z.string().regex(ACTION_ID_PATTERN),
  status: actionStatus,
  action: z.string(),
  params: jsonObject.describe('As requested; see `ActionParams.<action>` for what each action takes'),
  justification: z.string(),
  context: jsonObject.nullable(),
  requester,
  requestedAt: timestamp,
  summary: z.string().nullable().describe('One line saying exactly what the operation does'),
  preview: actionPreview.nullable().describe('What would change, read before review; `null` for requests denied on params alone'),
  policy: policyDecision.nullable(),
  review: review.nullable(),
  votes: z.array(vote),
  cancellation: z.strictObject({ by: z.string(), reason: z.string().optional(), at: timestamp }).nullable(),
  result: executionResult.nullable(),
  error: failure.nullable(),
  notifications: z.array(notification),
  updatedAt: timestamp,
  closedAt: timestamp.nullable(),
  links: z.strictObject({
    self: z.string(),
    decisions: z.string(),
    cancel: z.string(),
    temporalUi: z.string().optional().describe('The workflow in the Temporal Web UI, when its URL is configured'),
  }),
});

/** `GET /v1/actions/{id}`: the view, plus whether a worker answered and the running operation's progress. */
export const actionDetail = actionView.extend({
  live: z.boolean().describe('`false` when no worker answered: the state was rebuilt from history, without votes'),
  progress: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .nullable()
    .describe("While `executing`: the operation's last reported progress, e.g. `{ copied, skipped, bytes, startAfter, attempt }`"),
});

export const actionList = z.strictObject({
  items: z.array(
    z.strictObject({
      id: z.string(),
      action: z.string().optional(),
      requester: z.string().optional(),
      status: actionStatus.optional(),
      startedAt: timestamp,
      closedAt: timestamp.optional(),
    }),
  ),
});

export const catalogueEntry = z.strictObject({
  name: z.string().describe('The catalogue name to ask for, e.g. `s3.copyObject`'),
  title: z.string(),
  description: z.string(),
  idempotent: z.boolean().describe('True when running it twice has the same effect as once'),
  paramsSchema: z.record(z.string(), z.unknown()).describe("JSON Schema (2020-12) of `params`, as the action's branch of the `POST /v1/actions` body has it"),
  review: z
    .enum(REVIEW_OUTLOOKS)
    .describe(
      "What the loaded policy makes of the caller's own requests: `required` (every one is reviewed), `not_required` (allowed at once), " +
        '`denied` (always refused) or `depends_on_params` (the params, or the preview of their impact, decide)',
    ),
  tool: z
    .strictObject({
      server: z.string(),
      name: z.string(),
      annotations: z.strictObject({
        title: z.string().optional(),
        readOnlyHint: z.boolean().optional(),
        destructiveHint: z.boolean().optional(),
        idempotentHint: z.boolean().optional(),
        openWorldHint: z.boolean().optional(),
      }),
    })
    .optional()
    .describe('For an MCP gateway tool (`mcp.<server>.<tool>`): its server, its own name there, and its annotations as policy matches them'),
});

/** `GET /v1/catalogue`. */
export const catalogue = z.strictObject({
  policyHash: z.string().describe('sha256 of the policy file the `review` values come from'),
  items: z.array(catalogueEntry).describe('Sorted by name'),
});

export const auditRecord = z.strictObject({
  seq: z.number().int().min(1).describe('1, 2, 3, … without gaps'),
  eventId: z.string(),
  kind: z.enum(Object.values(AuditEventKind) as [string, ...string[]]),
  actionId: z.string(),
  actor: z.string().describe('Identity id, or `airlock` / `policy`'),
  occurredAt: timestamp,
  recordedAt: timestamp,
  data: jsonObject.describe('Kind-specific facts; never a secret'),
  prevHash: z.string(),
  hash: z.string().describe('sha256 hex over the previous hash and every stored field (docs/audit.md)'),
});

export const actionLineage = z.strictObject({ actionId: z.string(), events: z.array(auditRecord) });

export const auditVerifyReport = z.strictObject({
  store: z.string().describe('`sqlite` or `postgres`'),
  ok: z.boolean(),
  checked: z.number().int().describe('Rows checked before the first break (all rows when ok)'),
  head: z.strictObject({ seq: z.number().int(), hash: z.string() }).nullable().describe('The last row that links correctly'),
  firstBreak: z.strictObject({ seq: z.number().int(), reason: z.enum(['missing', 'prev_hash_mismatch', 'hash_mismatch']), message: z.string() }).optional(),
  signatures: z
    .strictObject({
      ok: z.boolean(),
      checked: z.number().int().describe('Requests, votes and cancels on the trail'),
      verified: z.number().int().describe("Of those, how many carry an identity proof that verifies against the API's public keys"),
      legacyUnsigned: z.number().int().describe('Unsigned ones tolerated as recorded before signed identities'),
      failed: z.number().int(),
      failures: z.array(
        z.strictObject({
          seq: z.number().int(),
          kind: z.string(),
          actor: z.string(),
          code: z.enum(['unsigned', 'unknown_key', 'bad_signature', 'stale', 'malformed']),
          message: z.string(),
        }),
      ),
    })
    .optional()
    .describe('The identity proof of every request, vote and cancel (docs/audit.md#signatures)'),
});

export const health = z.union([
  z.strictObject({ status: z.literal('ok'), temporal: z.literal('ok') }),
  z.strictObject({ status: z.literal('degraded'), temporal: z.literal('unreachable') }),
]);

/** `ActionView` as the handlers build it (api/action-view.ts) and the client reads it (client/types.ts). */
export type ActionView = z.output<typeof actionView>;

// Named in the document: each is answered by more than one route, or is long.
actionView.register(z.globalRegistry, { id: 'ActionView', description: 'One action as the API shows it; nothing secret is ever in it' });
actionDetail.register(z.globalRegistry, { id: 'ActionDetail' });
auditRecord.register(z.globalRegistry, { id: 'AuditRecord', description: 'One audit event, sealed into the hash chain' });
