import type { FastifyInstance } from 'fastify';
import { ACTION_ID_PATTERN } from '../../../domain/action-id';
import { ActionNotFoundError } from '../../../domain/errors';
import type { ConsoleContext } from '../plugin';
import { LineageList } from '../views/lineage-list';
import { actionHref } from '../views/links';
import { auditorsOnly } from './access';
import { sendConsolePage } from './frame';
import type { ConsolePageDeps } from './index';

/** `GET /console/audit/actions/:id` (auditors): every event of one action with its data, as `GET /v1/actions/{id}/lineage`. */
export async function auditLineagePage(app: FastifyInstance, context: ConsoleContext, deps: ConsolePageDeps): Promise<void> {
  app.get<{ Params: { id: string } }>('/console/audit/actions/:id', { preHandler: [context.requireSession, auditorsOnly(context)] }, async (request, reply) => {
    const id = request.params.id;
    if (!ACTION_ID_PATTERN.test(id)) throw new ActionNotFoundError(id.slice(0, 300));
    const events = await deps.audit.lineage(id);
    if (events.length === 0) throw new ActionNotFoundError(id, `no audit events for action ${id}`);
    return sendConsolePage(
      context,
      request,
      reply,
      { title: `Lineage of ${id}`, current: 'audit' },
      <>
        <p class="crumbs">
          <a href="/console/audit">Audit</a> / <code>{id}</code>
        </p>
        <h1>Lineage</h1>
        <p class="links">
          <a href={actionHref(id)}>The action’s page</a>
          <a href={`/console/audit/export?action=${encodeURIComponent(id)}`}>Download (JSON lines)</a>
        </p>
        <LineageList events={events} />
      </>,
    );
  });
}
