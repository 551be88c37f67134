import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActionRead, ActionsPort } from '../../../domain/actions-port';
import { ACTION_ID_PATTERN } from '../../../domain/action-id';
import { ActionNotFoundError } from '../../../domain/errors';
import type { VoteAuthentication } from '../../../domain/types';
import { ApiError } from '../../errors';
import type { ConsoleContext } from '../plugin';
import type { ConsoleSession } from '../session';

/** Roles that see every action, as on the API (`GET /v1/actions`): others see only what they requested. */
const SEES_ALL = ['reviewer', 'admin', 'auditor'] as const;

export function seesAllActions(session: ConsoleSession): boolean {
  return session.roles.some((role) => (SEES_ALL as readonly string[]).includes(role));
}

export function isAuditor(session: ConsoleSession): boolean {
  return session.roles.includes('auditor');
}

export function isReviewer(session: ConsoleSession): boolean {
  return session.roles.includes('reviewer');
}

/**
 * The action, if this person may see it: `action_not_found` for an id of the wrong shape (it never
 * reaches Temporal), for an unknown one, and for one they may not see, so ids do not leak.
 */
export async function readVisibleAction(actions: Pick<ActionsPort, 'get'>, id: string, session: ConsoleSession): Promise<ActionRead> {
  if (!ACTION_ID_PATTERN.test(id)) throw new ActionNotFoundError(id.slice(0, 300));
  const read = await actions.get(id);
  if (!seesAllActions(session) && read.state.request.requester.id !== session.identity) throw new ActionNotFoundError(id);
  return read;
}

/** preHandler after `requireSession`: the audit pages are for auditors only (`403 forbidden`). */
export function auditorsOnly(context: ConsoleContext) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!isAuditor(context.session(request))) throw new ApiError(403, 'forbidden', 'the audit pages are for auditors only');
  };
}

/** The sign-in behind a console vote, as the session holds it (the API signs it with the vote). */
export function voteAuthentication(session: ConsoleSession): VoteAuthentication {
  return {
    method: 'oidc',
    issuer: session.issuer,
    subject: session.subject,
    ...(session.authTime !== undefined ? { authTime: session.authTime } : {}),
    ...(session.acr !== undefined ? { acr: session.acr } : {}),
    ...(session.amr !== undefined ? { amr: session.amr } : {}),
    idpGroups: session.idpGroups,
  };
}
