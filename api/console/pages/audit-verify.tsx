import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';
import { VerifyReportView } from '../views/verify-report';
import { auditorsOnly } from './access';
import { sendConsolePage } from './frame';
import type { ConsolePageDeps } from './index';

/**
 * `GET /console/audit/verify` (auditors): the whole chain walked and every identity proof checked,
 * as `GET /v1/audit/verify` does. A page of its own: it reads the whole trail.
 */
export async function auditVerifyPage(app: FastifyInstance, context: ConsoleContext, deps: ConsolePageDeps): Promise<void> {
  app.get('/console/audit/verify', { preHandler: [context.requireSession, auditorsOnly(context)] }, async (request, reply) => {
    const report = await deps.audit.verify({ identityKeys: deps.identityKeys });
    request.log.info({ ok: report.ok, checked: report.checked }, 'console audit verify');
    return sendConsolePage(
      context,
      request,
      reply,
      { title: 'Verify the audit trail', current: 'audit' },
      <>
        <p class="crumbs">
          <a href="/console/audit">Audit</a> / verify
        </p>
        <h1>Verify the audit trail</h1>
        <VerifyReportView store={deps.audit.store.kind} report={report} />
      </>,
    );
  });
}
