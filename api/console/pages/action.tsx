import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { temporalUiLink } from '../../../config/temporal-ui';
import type { ConsoleContext } from '../plugin';
import { ActionDetail } from '../views/action-detail';
import type { Notice } from '../views/notice';
import type { VoteDraft } from '../views/vote-panel';
import { isAuditor, readVisibleAction } from './access';
import { sendConsolePage } from './frame';
import type { ConsolePageDeps } from './index';
import { queryText } from './query';
import { voteOptions } from './vote-options';

/** What the page says after a vote, from the `voted` query of the redirect that follows it. */
const VOTED = new Map<string, Notice>([
  ['approve', { kind: 'success', text: 'Your approval is recorded.' }],
  ['reject', { kind: 'success', text: 'Your rejection is recorded.' }],
]);

/** `GET /console/actions/:id`: everything a reviewer needs to decide, and the vote forms when their vote would count. */
export async function actionPage(app: FastifyInstance, context: ConsoleContext, deps: ConsolePageDeps): Promise<void> {
  app.get<{ Params: { id: string } }>('/console/actions/:id', { preHandler: context.requireSession }, async (request, reply) => {
    const voted = queryText(request.query, 'voted');
    return sendActionPage(context, deps, request, reply, request.params.id, { notice: voted ? VOTED.get(voted) : undefined });
  });
}

/**
 * Reads the action (404 for an id of the wrong shape, an unknown one, or one this person may not
 * see) and its audit events, and sends its page; also the answer to a refused vote, with `status`.
 */
export async function sendActionPage(
  context: ConsoleContext,
  deps: ConsolePageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  extra: { status?: number; notice?: Notice | undefined; draft?: VoteDraft | undefined } = {},
): Promise<FastifyReply> {
  const session = context.session(request);
  const { state, live } = await readVisibleAction(deps.actions, id, session);
  // Every viewer gets the action's own timeline (what it repeats is on this page anyway); the
  // events' full data (origins, session policies, signatures) is for auditors, on the lineage page.
  const events = await deps.audit.lineage(state.actionId);
  return sendConsolePage(
    context,
    request,
    reply,
    { title: state.request.action, status: extra.status },
    <ActionDetail
      state={state}
      live={live}
      events={events}
      options={voteOptions(state, session, Date.now())}
      csrfToken={context.csrfToken(request, reply)}
      nonce={randomBytes(16).toString('base64url')}
      temporalUi={temporalUiLink(deps.view, state.actionId)}
      auditor={isAuditor(session)}
      notice={extra.notice}
      draft={extra.draft}
    />,
  );
}
