import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors';
import { jsonLines } from '../../routes/audit';
import type { ConsoleContext } from '../plugin';
import { auditorsOnly } from './access';
import { parseAuditFilter } from './audit-filter';
import type { ConsolePageDeps } from './index';

/**
 * `GET /console/audit/export` (auditors): the events the filters select as JSON lines, streamed a
 * page at a time exactly as `GET /v1/audit` streams them, as a download.
 */
export async function auditExportRoute(app: FastifyInstance, context: ConsoleContext, deps: ConsolePageDeps): Promise<void> {
  app.get('/console/audit/export', { preHandler: [context.requireSession, auditorsOnly(context)] }, async (request, reply) => {
    const parsed = parseAuditFilter(request.query);
    if (!parsed.ok) throw new ApiError(400, 'invalid_request', parsed.problem);
    request.log.info({ filter: parsed.filter }, 'console audit export');
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', 'attachment; filename="airlock-audit.jsonl"')
      .send(Readable.from(jsonLines(deps.audit, parsed.filter), { objectMode: false }));
  });
}
