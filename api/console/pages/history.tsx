import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IDENTITY_ID_PATTERN } from '../../../config/principals';
import { ACTION_NAME_PATTERN } from '../../../domain/action-id';
import { ACTION_STATUSES } from '../../../domain/types';
import type { ConsoleContext } from '../plugin';
import { ActionTable } from '../views/action-table';
import { HistoryFilters, type HistoryFilterValues } from '../views/history-filters';
import { NoticeBanner } from '../views/notice';
import { seesAllActions } from './access';
import { sendConsolePage } from './frame';
import type { ConsolePageDeps } from './index';
import { queryText } from './query';

/** How many actions one page of History lists. */
const LIMIT = 100;

/** An empty field of a GET form is no filter. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** The filters, checked before any reaches Temporal's visibility query. */
const historyQuery = z.object({
  status: optional(z.enum(ACTION_STATUSES as [string, ...string[]])),
  action: optional(z.string().regex(ACTION_NAME_PATTERN, 'is not an action name')),
  requester: optional(z.string().regex(IDENTITY_ID_PATTERN, 'is not an identity id')),
});

/** `GET /console/history`: every action (what this person may see), newest first, filtered by status, action and requester. */
export async function historyPage(app: FastifyInstance, context: ConsoleContext, deps: ConsolePageDeps): Promise<void> {
  app.get('/console/history', { preHandler: context.requireSession }, async (request, reply) => {
    const session = context.session(request);
    const asked: HistoryFilterValues = {
      status: queryText(request.query, 'status'),
      action: queryText(request.query, 'action'),
      requester: queryText(request.query, 'requester'),
    };
    const parsed = historyQuery.safeParse(asked);
    // Those who may not see every action see their own, as on the API.
    const requesterFixed = seesAllActions(session) ? undefined : session.identity;
    const filters = <HistoryFilters values={asked} actionNames={deps.catalogue.names()} requesterFixed={requesterFixed} />;
    if (!parsed.success) {
      const problem = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ');
      return sendConsolePage(
        context,
        request,
        reply,
        { title: 'History', current: 'history', status: 400 },
        <>
          <h1>History</h1>
          {filters}
          <NoticeBanner notice={{ kind: 'error', text: `These filters cannot be used: ${problem}.` }} />
        </>,
      );
    }
    const { status, action, requester } = parsed.data;
    const items = await deps.actions.list({ status, action, requester: requesterFixed ?? requester, limit: LIMIT });
    return sendConsolePage(
      context,
      request,
      reply,
      { title: 'History', current: 'history' },
      <>
        <h1>History</h1>
        {filters}
        <p class="muted">{`Newest first, at most ${LIMIT}. From Temporal visibility: a new action can take a moment to appear.`}</p>
        <ActionTable items={items} empty="No action matches these filters." />
      </>,
    );
  });
}
