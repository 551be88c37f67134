import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../../audit/audit-log';
import type { TrustedKey } from '../../../domain/identity-proof';
import type { Catalogue } from '../../../operations/catalogue';
import type { ActionsService } from '../../actions-service';
import type { ConsoleContext } from '../plugin';
import { actionPage } from './action';
import { consoleAssets } from './assets';
import { auditExportRoute } from './audit-export';
import { auditLineagePage } from './audit-lineage';
import { auditSearchPage } from './audit-search';
import { auditVerifyPage } from './audit-verify';
import { decisionRoute } from './decide';
import { consoleErrorPages } from './errors';
import { historyPage } from './history';
import { inboxPages } from './inbox';
import { inboxEvents } from './inbox-events';
import { myDecisionsPage } from './my-decisions';
import { myRequestsPage } from './my-requests';
import { PendingReviews } from './pending-reviews';

/** What the pages read and act through: the same services the /v1 routes use. */
export interface ConsolePageDeps {
  actions: ActionsService;
  audit: AuditLog;
  catalogue: Catalogue;
  /** The Temporal UI link of each action. */
  view: { namespace: string; temporalUiUrl?: string };
  /** Keys the audit chain's identity proofs are verified with. */
  identityKeys: readonly TrustedKey[];
}

/**
 * The console's pages (each in its own file), registered in the console's scope: the inbox with
 * its live stream, the lists, the action page and its vote, the auditors' pages, the assets, and
 * error pages for browsers.
 */
export async function consolePages(app: FastifyInstance, context: ConsoleContext, deps: ConsolePageDeps): Promise<void> {
  await consoleErrorPages(app);
  await consoleAssets(app);
  const pending = new PendingReviews(deps.actions, app.log);
  await inboxPages(app, context, pending);
  await inboxEvents(app, context, pending);
  await myRequestsPage(app, context, deps);
  await myDecisionsPage(app, context, deps);
  await historyPage(app, context, deps);
  await actionPage(app, context, deps);
  await decisionRoute(app, context, deps);
  await auditSearchPage(app, context, deps);
  await auditLineagePage(app, context, deps);
  await auditVerifyPage(app, context, deps);
  await auditExportRoute(app, context, deps);
}
