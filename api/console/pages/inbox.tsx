import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';
import { InboxList } from '../views/inbox-list';
import { renderFragment } from '../views/render';
import { isReviewer } from './access';
import { sendConsolePage } from './frame';
import { inboxItems } from './inbox-items';
import type { PendingReviews } from './pending-reviews';

/**
 * The home page, `GET /console`: the pending reviews this person may decide, newest first, kept
 * current by console.js (the stream of `/console/inbox/events`, then `/console/inbox/fragment`).
 */
export async function inboxPages(app: FastifyInstance, context: ConsoleContext, pending: PendingReviews): Promise<void> {
  app.get('/console', { preHandler: context.requireSession }, async (request, reply) => {
    const session = context.session(request);
    const snapshot = await pending.current();
    return sendConsolePage(
      context,
      request,
      reply,
      { title: 'Inbox', current: 'inbox' },
      <>
        <h1>Inbox</h1>
        <p class="lead">
          {isReviewer(session)
            ? 'Actions waiting for your review. This list updates by itself.'
            : 'You do not have the reviewer role: nothing waits for your review here.'}
        </p>
        <InboxList items={inboxItems(snapshot.states, session)} version={snapshot.version} unreadable={snapshot.unreadable} />
      </>,
    );
  });

  app.get('/console/inbox/fragment', { preHandler: context.requireSession }, async (request, reply) => {
    const snapshot = await pending.current();
    return renderFragment(
      reply,
      <InboxList items={inboxItems(snapshot.states, context.session(request))} version={snapshot.version} unreadable={snapshot.unreadable} />,
    );
  });
}
