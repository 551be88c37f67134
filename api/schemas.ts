import { z } from 'zod';
import { ACTION_ID_PATTERN, ACTION_NAME_PATTERN } from '../domain/action-id';
import { ACTION_STATUSES } from '../domain/types';
import type { Catalogue } from '../operations/catalogue';
import { jsonValue } from './response-schemas';

// What the API's routes accept, in zod: each route declares these, so Fastify validates with them
// (api/zod-validation.ts) and the OpenAPI document describes them.

/** `POST /v1/actions` body. `params` is checked again by the operation's own schema. */
export const createActionBody = z.strictObject({
  action: z.string().min(1).max(200).regex(ACTION_NAME_PATTERN, 'must be an operation name such as s3.copyObject or mcp.fs.write_file'),
  params: z.record(z.string(), jsonValue),
  // Checked before the trim, in terms JSON Schema has too: at least 10 characters (code points, as
  // zod's lengths and JSON Schema's count them: hence `u`) once trimmed.
  justification: z
    .string()
    .max(2000)
    .regex(/^\s*\S[\s\S]{8,}\S\s*$/u, 'explain why in at least 10 characters')
    .trim(),
  context: z.record(z.string(), jsonValue).optional(),
  idempotencyKey: z.string().min(1).max(255).optional(),
  /** Where Airlock POSTs the signed final outcome; its host and port must be allow-listed by the operator. */
  callbackUrl: z.string().max(2048).optional(),
});

export const idempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** The headers of a route that takes an `Idempotency-Key` (other headers pass untouched). */
export function idempotencyHeaders(description: string) {
  return z.looseObject({ 'idempotency-key': idempotencyKeyHeader.optional().describe(description) });
}

/** `{id}` in `/v1/actions/{id}…`; a path that is no action id answers 404 (api/zod-validation.ts). */
export const actionIdParams = z.strictObject({
  id: z.string().regex(ACTION_ID_PATTERN).describe('The action id, as `POST /v1/actions` answered it. Any other id answers `404 action_not_found`.'),
});

/**
 * `POST /v1/actions` as documented: one branch per catalogue operation, the body above with
 * `action` fixed to the operation's name and `params` its own params schema, so a client sees
 * exactly what each action takes. Fastify checks the body above; the operation's schema is checked
 * when the request is submitted (`unknown_action`, `invalid_params`); a test holds them together.
 */
export function createActionRequest(catalogue: Catalogue, callbackAllowedHosts: readonly string[]): z.ZodType {
  // With no host allowed, every `callbackUrl` is refused (`invalid_callback_url`): the document has none.
  // With some, which URL they allow is the operator's list, not JSON Schema: it is said in words.
  const body =
    callbackAllowedHosts.length === 0
      ? createActionBody.omit({ callbackUrl: true })
      : createActionBody.extend({
          callbackUrl: createActionBody.shape.callbackUrl.describe(
            `Where Airlock POSTs the signed final outcome: https (http on loopback only) on one of ${callbackAllowedHosts.map((host) => `\`${host}\``).join(', ')}; any other is \`400 invalid_callback_url\``,
          ),
        });
  // The operations loaded at start: an MCP gateway tool's params are its server's schema, listed by GET /v1/catalogue.
  const [first, ...rest] = catalogue
    .loadedAtStart()
    .map((operation) =>
      body
        .extend({ action: z.literal(operation.name), params: operation.params.meta({ title: operation.title, description: operation.description }) })
        .meta({ title: operation.name, description: `\`POST /v1/actions\` for ${operation.name}: ${operation.title}` }),
    );
  if (!first) throw new Error('the catalogue is empty: there is no action to request');
  return z.discriminatedUnion('action', [first, ...rest]).meta({
    description:
      'One privileged action. `action` names a catalogue operation and decides what `params` must be. ' +
      "With the MCP gateway configured, `action` may also name a gateway tool, `mcp.<server>.<tool>`, whose `params` are the tool's arguments as its `paramsSchema` in `GET /v1/catalogue` says. " +
      'Beyond what the schemas say, each operation checks more (no IAM wildcards in object keys, a session policy that fits STS, …): ' +
      'such problems are answered `400 invalid_params` with every issue listed.',
  });
}

/**
 * `POST /v1/actions/{id}/decisions` body. The reviewer is the authenticated principal. A rejection
 * needs a comment with something besides spaces in it: a branch of its own, so the document says so.
 */
export const decisionBody = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('approve'), comment: z.string().max(2000).trim().optional() }),
  z.strictObject({
    decision: z.literal('reject'),
    comment: z
      .string({ error: 'a rejection needs a comment giving the reason' })
      .max(2000)
      .regex(/\S/u, 'a rejection needs a comment giving the reason')
      .trim(),
  }),
]);

/** `POST /v1/actions/{id}/cancel` body, which may be left out. */
export const cancelBody = z.strictObject({ reason: z.string().trim().max(2000).optional() }).optional();

/**
 * A whole number in a query string, `min` to `max`. Only digits read as one: Number() would also
 * read `''` as 0 and `0x1f` or `1e1` as numbers, which the document's `integer` does not allow.
 * (A preprocess: zod documents it by the schema it feeds, the integer.)
 */
function queryInteger(min: number, max: number) {
  const digits = (value: unknown): unknown => (typeof value === 'string' && !/^\+?\d+$/.test(value) ? Number.NaN : value);
  return z.preprocess(digits, z.coerce.number().int().min(min).max(max));
}

export const listQuery = z.strictObject({
  status: z
    .enum(ACTION_STATUSES as [string, ...string[]])
    .optional()
    .describe('Only actions in this status'),
  action: z.string().regex(ACTION_NAME_PATTERN).optional().describe('Only this catalogue operation'),
  limit: queryInteger(1, 200).default(50).describe('At most this many (default 50)'),
});

/** The longest `GET /v1/actions/{id}?waitSeconds=` may wait for the action to finish. */
export const MAX_WAIT_SECONDS = 60;

/** `GET /v1/actions/{id}` query: `waitSeconds` long-polls until the action is final (0: answer now). */
export const getActionQuery = z.strictObject({
  waitSeconds: queryInteger(0, MAX_WAIT_SECONDS)
    .default(0)
    .describe(`Wait up to this many seconds (0 to ${MAX_WAIT_SECONDS}) for the action to be final; 0, the default, answers at once`),
});
