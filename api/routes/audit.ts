import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUDIT_PAGE_SIZE, type AuditLog } from '../../audit/audit-log';
import type { AuditFilter } from '../../audit/store';
import type { TrustedKey } from '../../domain/identity-proof';
import { ACTION_ID_PATTERN } from '../../domain/action-id';
import { ActionNotFoundError } from '../../domain/errors';
import { bearerAccess, operation } from '../access';
import type { Authenticator } from '../authenticator';
import { actionLineage, auditVerifyReport } from '../response-schemas';
import { actionIdErrors, errorResponses, json, text } from '../route-responses';
import { actionIdParams } from '../schemas';

export interface AuditRoutesDeps {
  audit: AuditLog;
  auth: Authenticator;
  /** Public keys the trail's identity proofs are checked against (current and retired). */
  identityKeys: readonly TrustedKey[];
}

/** An ISO 8601 time with its offset, normalized to UTC so it compares with stored times as text. */
const isoTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/** `GET /v1/audit` query. */
export const auditQuery = z
  .strictObject({
    from: isoTime.optional().describe('Events that occurred at or after this time (with its offset); `from` after `to` is `400 invalid_request`'),
    to: isoTime.optional().describe('Events that occurred before this time (with its offset)'),
    action: z.string().regex(ACTION_ID_PATTERN, 'must be an action id').optional().describe("Only this action's events"),
    actor: z.string().min(1).max(128).optional().describe('Only events caused by this identity (or `airlock`, `policy`)'),
  })
  // Not expressible in JSON Schema (it compares two parameters): said in `from`'s description instead.
  .refine((query) => !query.from || !query.to || query.from <= query.to, { message: '`from` must not be after `to`', path: ['from'] });

/**
 * Auditors only: the lineage of one action, the whole trail as JSON lines for a SIEM, and a check
 * of the hash chain. Everything is read from the audit store, which outlives Temporal's retention.
 */
export async function auditRoutes(scope: FastifyInstance, deps: AuditRoutesDeps): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { audit } = deps;
  const auditor = bearerAccess(deps.auth, ['auditor']);

  app.get(
    '/v1/actions/:id/lineage',
    {
      preValidation: auditor.check,
      schema: {
        ...operation({
          id: 'getActionLineage',
          tag: 'audit',
          summary: 'Every audit event of one action',
          description: "Read from the audit store, which outlives Temporal's retention. See docs/audit.md.",
          access: auditor,
        }),
        params: actionIdParams,
        response: {
          200: json('The events in chain order', actionLineage),
          ...errorResponses(auditor.errors, actionIdErrors),
        },
      },
    },
    async (request) => {
      const actionId = request.params.id;
      const events = await audit.lineage(actionId);
      if (events.length === 0) throw new ActionNotFoundError(actionId, `no audit events for action ${actionId}`);
      return { actionId, events };
    },
  );

  app.get(
    '/v1/audit',
    {
      preValidation: auditor.check,
      schema: {
        ...operation({
          id: 'exportAudit',
          tag: 'audit',
          summary: 'Export the audit trail as JSON lines',
          description: 'Streamed a page at a time, in chain order: one `AuditRecord` (see components) per line. For a SIEM.',
          access: auditor,
        }),
        querystring: auditQuery,
        response: {
          200: text('JSON lines: each line is one `AuditRecord`', 'application/x-ndjson'),
          ...errorResponses(auditor.errors, { 400: ['invalid_request'] }),
        },
      },
    },
    async (request, reply) => {
      const { from, to, action, actor } = request.query;
      const filter: AuditFilter = {
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(action ? { actionId: action } : {}),
        ...(actor ? { actor } : {}),
      };
      request.log.info({ filter }, 'audit export');
      // Pulled a page at a time as the client reads: memory stays flat whatever the size of the trail.
      return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(jsonLines(audit, filter), { objectMode: false }));
    },
  );

  app.get(
    '/v1/audit/verify',
    {
      preValidation: auditor.check,
      schema: {
        ...operation({
          id: 'verifyAudit',
          tag: 'audit',
          summary: 'Check the audit hash chain and every identity proof',
          description:
            "Walks the whole chain and reports the head, or the first broken link, and checks the identity proof of every request, vote and cancel against the API's public keys. `npm run audit:verify` does the same from a shell.",
          access: auditor,
        }),
        response: { 200: json('The report (`ok: false` with `firstBreak` when the chain is broken)', auditVerifyReport), ...errorResponses(auditor.errors) },
      },
    },
    async () => ({ store: audit.store.kind, ...(await audit.verify({ identityKeys: deps.identityKeys })) }),
  );
}

/** One line per event; each page becomes one chunk, so a slow reader holds back the queries. Also the console's export. */
export async function* jsonLines(audit: AuditLog, filter: AuditFilter): AsyncGenerator<string> {
  let chunk = '';
  let lines = 0;
  for await (const record of audit.records(filter)) {
    chunk += `${JSON.stringify(record)}\n`;
    lines += 1;
    if (lines % AUDIT_PAGE_SIZE === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
