import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AUDIT_PAGE_SIZE, type AuditLog } from '../../audit/audit-log';
import type { AuditFilter } from '../../audit/store';
import type { PrincipalDirectory } from '../../config/principals';
import type { TrustedKey } from '../../domain/identity-proof';
import { ACTION_ID_PATTERN } from '../../domain/action-id';
import { ActionNotFoundError } from '../../domain/errors';
import { authenticate, requireRole } from '../auth';
import { validationError } from '../validation';

export interface AuditRoutesDeps {
  audit: AuditLog;
  principals: PrincipalDirectory;
  /** Public keys the trail's identity proofs are checked against (current and retired). */
  identityKeys: readonly TrustedKey[];
}

/** An ISO 8601 time with its offset, normalized to UTC so it compares with stored times as text. */
const isoTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/** `GET /v1/audit` query; exported for the OpenAPI document. */
export const auditQuery = z
  .strictObject({
    from: isoTime.optional(),
    to: isoTime.optional(),
    action: z.string().regex(ACTION_ID_PATTERN, 'must be an action id').optional(),
    actor: z.string().min(1).max(128).optional(),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { message: '`from` must not be after `to`', path: ['from'] });

/**
 * Auditors only: the lineage of one action, the whole trail as JSON lines for a SIEM, and a check
 * of the hash chain. Everything is read from the audit store, which outlives Temporal's retention.
 */
export async function auditRoutes(app: FastifyInstance, deps: AuditRoutesDeps): Promise<void> {
  const { audit, principals } = deps;

  app.get<{ Params: { id: string } }>('/v1/actions/:id/lineage', async (request) => {
    requireRole(authenticate(principals, request), 'auditor');
    const actionId = request.params.id;
    const events = ACTION_ID_PATTERN.test(actionId) ? await audit.lineage(actionId) : [];
    if (events.length === 0) throw new ActionNotFoundError(actionId, `no audit events for action ${actionId}`);
    return { actionId, events };
  });

  app.get('/v1/audit', async (request, reply) => {
    requireRole(authenticate(principals, request), 'auditor');
    const query = auditQuery.safeParse(request.query ?? {});
    if (!query.success) throw validationError(query.error, 'query');
    const { from, to, action, actor } = query.data;
    const filter: AuditFilter = {
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(action ? { actionId: action } : {}),
      ...(actor ? { actor } : {}),
    };
    request.log.info({ filter }, 'audit export');
    // Pulled a page at a time as the client reads: memory stays flat whatever the size of the trail.
    return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(jsonLines(audit, filter), { objectMode: false }));
  });

  app.get('/v1/audit/verify', async (request) => {
    requireRole(authenticate(principals, request), 'auditor');
    return { store: audit.store.kind, ...(await audit.verify({ identityKeys: deps.identityKeys })) };
  });
}

/** One line per event; each page becomes one chunk, so a slow reader holds back the queries. */
async function* jsonLines(audit: AuditLog, filter: AuditFilter): AsyncGenerator<string> {
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
