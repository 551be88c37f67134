import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ACTION_ID_PATTERN } from '../../../domain/action-id';
import { ActionNotFoundError, DomainError, DomainErrorCode } from '../../../domain/errors';
import { statusOf } from '../../domain-error-http';
import { ApiError } from '../../errors';
import type { ConsoleContext } from '../plugin';
import { actionHref } from '../views/links';
import { MAX_COMMENT_CHARS } from '../views/vote-panel';
import { isReviewer, voteAuthentication } from './access';
import { sendActionPage } from './action';
import type { ConsolePageDeps } from './index';

/** The vote form: the nonce is the page's, so a form submitted twice is one Update (`console:<identity>:<nonce>`). */
const voteForm = z.object({
  _csrf: z.string().optional(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  decision: z.enum(['approve', 'reject']),
  comment: z.string().max(MAX_COMMENT_CHARS).optional(),
});

/**
 * `POST /console/actions/:id/decisions`: a vote from the action page, after the session and its CSRF
 * token are checked. The workflow is the guard (approver, requester, double vote, closed, step-up);
 * a refusal shows the page again with its message and the API's status for it. A vote that counts
 * redirects back to the page (Post/Redirect/Get).
 */
export async function decisionRoute(app: FastifyInstance, context: ConsoleContext, deps: ConsolePageDeps): Promise<void> {
  app.post<{ Params: { id: string }; Body: unknown }>(
    '/console/actions/:id/decisions',
    { preHandler: [context.requireSession, context.requireCsrf] },
    async (request, reply) => {
      const session = context.session(request);
      const id = request.params.id;
      if (!ACTION_ID_PATTERN.test(id)) throw new ActionNotFoundError(id.slice(0, 300));
      if (!isReviewer(session)) throw new ApiError(403, 'forbidden', 'voting in the console needs the reviewer role');
      const form = voteForm.safeParse(request.body);
      if (!form.success) {
        return sendActionPage(context, deps, request, reply, id, {
          status: 400,
          notice: { kind: 'error', text: 'The vote could not be read: reload the page and vote again.' },
        });
      }
      const { decision, nonce } = form.data;
      const comment = form.data.comment?.trim() ?? '';
      const draft = { decision, comment };
      if (decision === 'reject' && comment === '') {
        return sendActionPage(context, deps, request, reply, id, { status: 400, notice: { kind: 'error', text: 'A rejection needs a reason.' }, draft });
      }
      try {
        await deps.actions.decide(
          id,
          {
            reviewer: session.identity,
            verdict: decision,
            channel: 'console',
            ...(comment ? { comment } : {}),
            authentication: voteAuthentication(session),
          },
          `console:${session.identity}:${nonce}`,
        );
      } catch (err) {
        // Unknown actions and what only an operator can fix (no worker, Temporal down) get the error page.
        if (!(err instanceof DomainError) || err instanceof ActionNotFoundError || statusOf(err.code) >= 500) throw err;
        request.log.info({ actionId: id, code: err.code }, 'console vote refused');
        const notice = { kind: 'error' as const, text: `Your vote was not counted: ${refusalText(err)} (${err.code})` };
        return sendActionPage(context, deps, request, reply, id, { status: statusOf(err.code), notice, draft });
      }
      request.log.info({ actionId: id, verdict: decision }, 'console vote');
      return reply.redirect(`${actionHref(id)}?voted=${decision}`, 303);
    },
  );
}

/** The workflow's own words for a refusal; for a form sent again with another verdict, the console's. */
function refusalText(err: DomainError): string {
  // Both buttons of one page share its nonce: the first vote sent from it is the one that counts.
  if (err.code === DomainErrorCode.IdempotencyKeyReused) return 'this page already sent another vote, which stands; reload the page to see it';
  return err.message;
}
