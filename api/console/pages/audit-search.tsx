import type { FastifyInstance } from 'fastify';
import type { AuditRecord } from '../../../audit/audit-log';
import type { ConsoleContext } from '../plugin';
import { AuditFilters } from '../views/audit-filters';
import { AuditTable } from '../views/audit-table';
import { withQuery } from '../views/links';
import { NoticeBanner } from '../views/notice';
import { auditorsOnly } from './access';
import { auditFilterQuery, parseAuditFilter } from './audit-filter';
import { sendConsolePage } from './frame';
import type { ConsolePageDeps } from './index';

/** Events one page shows; the export has them all. */
const PAGE_EVENTS = 500;
/** Without any filter, the page starts this far back (the trail is never pruned). */
const DEFAULT_WINDOW_MS = 24 * 3600 * 1000;

/** `GET /console/audit` (auditors): the trail's events, filtered as `GET /v1/audit` filters, with links to the export and the chain check. */
export async function auditSearchPage(app: FastifyInstance, context: ConsoleContext, deps: ConsolePageDeps): Promise<void> {
  app.get('/console/audit', { preHandler: [context.requireSession, auditorsOnly(context)] }, async (request, reply) => {
    const parsed = parseAuditFilter(request.query, new Date(Date.now() - DEFAULT_WINDOW_MS).toISOString());
    const page = { title: 'Audit', current: 'audit' as const };
    if (!parsed.ok) {
      return sendConsolePage(
        context,
        request,
        reply,
        { ...page, status: 400 },
        <>
          <h1>Audit trail</h1>
          <AuditFilters values={parsed.form} />
          <NoticeBanner notice={{ kind: 'error', text: `These filters cannot be used: ${parsed.problem}.` }} />
        </>,
      );
    }
    const events: AuditRecord[] = [];
    let more = false;
    for await (const record of deps.audit.records(parsed.filter, PAGE_EVENTS + 1)) {
      if (events.length === PAGE_EVENTS) {
        more = true;
        break;
      }
      events.push(record);
    }
    return sendConsolePage(
      context,
      request,
      reply,
      page,
      <>
        <h1>Audit trail</h1>
        <AuditFilters values={parsed.form} />
        <p class="links">
          <a class="button" href={withQuery('/console/audit/export', auditFilterQuery(parsed.filter))}>
            Download these events (JSON lines)
          </a>
          <a href="/console/audit/verify">Verify the chain and signatures</a>
        </p>
        <p class="muted">
          {more
            ? `The first ${PAGE_EVENTS} matching events, in chain order: narrow the filters, or download them all.`
            : `${events.length} events, in chain order.`}
        </p>
        <AuditTable events={events} />
      </>,
    );
  });
}
