import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';
import { ActionTable } from '../views/action-table';
import { sendConsolePage } from './frame';
import type { ConsolePageDeps } from './index';

/** How many of a person's requests the page lists. */
const LIMIT = 100;

/** `GET /console/requests`: the actions this person requested, newest first. */
export async function myRequestsPage(app: FastifyInstance, context: ConsoleContext, deps: ConsolePageDeps): Promise<void> {
  app.get('/console/requests', { preHandler: context.requireSession }, async (request, reply) => {
    const session = context.session(request);
    const items = await deps.actions.list({ requester: session.identity, limit: LIMIT });
    return sendConsolePage(
      context,
      request,
      reply,
      { title: 'My requests', current: 'requests' },
      <>
        <h1>My requests</h1>
        <p class="lead">{`Actions requested as ${session.identity}, newest first (at most ${LIMIT}).`}</p>
        <ActionTable items={items} empty="You have not requested any action." />
      </>,
    );
  });
}
