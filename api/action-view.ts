import type { ActionView as ClientActionView } from '../client/types';
import { temporalUiLink, type TemporalUiLinks } from '../config/temporal-ui';
import { eligibleApprovers } from '../workflows/approvers';
import { publicMessageRef } from '../domain/message-ref';
import type { ActionState, NotificationRecord, VoteAuthentication } from '../domain/types';
import type { ActionView } from './response-schemas';

/** Links in API responses point at the Temporal UI when it is configured. */
export type ViewContext = TemporalUiLinks;

/** The public JSON shape of one action (`ActionView`, declared once in response-schemas.ts). Only non-secret data exists in the state to begin with. */
export function actionView(state: ActionState, context: ViewContext): ActionView {
  const { request, policy } = state;
  const base = `/v1/actions/${encodeURIComponent(state.actionId)}`;
  const temporalUi = temporalUiLink(context, state.actionId);
  return {
    id: state.actionId,
    status: state.status,
    action: request.action,
    params: request.params,
    justification: request.justification,
    context: request.context ?? null,
    requester: request.requester,
    requestedAt: request.requestedAt,
    summary: state.operation?.summary ?? null,
    /** What would change, read before review with read-only credentials; `{ error }` if it could not be. */
    preview: state.preview ?? null,
    policy: policy ? { effect: policy.effect, ruleId: policy.ruleId, reason: policy.reason, risk: policy.risk, policyHash: policy.policyHash } : null,
    review: policy?.review
      ? {
          approverGroups: policy.review.approverGroups,
          /** Who may vote now: escalated approvers are included once the review was escalated. */
          eligibleApprovers: eligibleApprovers(state),
          ...(policy.review.poolIdpGroups
            ? { eligibleIdpGroups: [...policy.review.poolIdpGroups, ...(state.escalation ? (policy.review.escalation?.poolIdpGroups ?? []) : [])] }
            : {}),
          quorum: policy.review.quorum,
          approvals: state.votes.filter((vote) => vote.verdict === 'approve').map((vote) => vote.reviewer),
          deadline: state.deadline ?? null,
          channels: policy.review.channels,
          ...(policy.review.stepUpMaxAgeMs !== undefined ? { stepUpMaxAgeMs: policy.review.stepUpMaxAgeMs } : {}),
          reminders: state.reminders ?? [],
          escalation: policy.review.escalation
            ? {
                approverGroups: policy.review.escalation.approverGroups,
                afterMs: policy.review.escalation.afterMs,
                escalatedAt: state.escalation?.at ?? null,
                addedApprovers: state.escalation?.addedApprovers ?? null,
              }
            : null,
        }
      : null,
    // Proofs and Update ids stay in history and the audit trail; the view says who decided what.
    votes: state.votes.map(({ reviewer, verdict, comment, channel, at, authentication }) => ({
      reviewer,
      verdict,
      ...(comment !== undefined ? { comment } : {}),
      channel,
      at,
      ...(authentication ? { signIn: signInView(authentication) } : {}),
    })),
    cancellation: state.cancellation
      ? { by: state.cancellation.by, ...(state.cancellation.reason !== undefined ? { reason: state.cancellation.reason } : {}), at: state.cancellation.at }
      : null,
    result: state.result ?? null,
    error: state.error ?? null,
    /** Deliveries to channels and the requester's callback, failed ones with their error. */
    notifications: (state.notifications ?? []).map(notificationView),
    updatedAt: state.updatedAt,
    closedAt: state.closedAt ?? null,
    links: {
      self: base,
      decisions: `${base}/decisions`,
      cancel: `${base}/cancel`,
      ...(temporalUi ? { temporalUi } : {}),
    },
  };
}

/** A delivery as the API has always shown it: the message ref as `{ channel, ts }`, in every channel. */
function notificationView({ ref, ...record }: NotificationRecord) {
  return { ...record, ...(ref ? { ref: publicMessageRef(ref) } : {}) };
}

/** `T`, when it is assignable to `U`; tsc names the offending field when it is not. */
type AssignableTo<T extends U, U> = T;

// The client library's `ActionView` (client/types.ts) is the server's written out without zod, for
// clients that need none of the server's code. Both ways assignable, so neither can gain, lose or
// change a field without the other.
export type ViewFitsClient = AssignableTo<ActionView, ClientActionView>;
export type ClientFitsView = AssignableTo<ClientActionView, ActionView>;

/** A console vote's sign-in as clients read it: when and how, not the IdP's subject or groups. */
function signInView(authentication: VoteAuthentication): { issuer: string; authTime: string | null; acr?: string; amr?: string[] } {
  return {
    issuer: authentication.issuer,
    authTime: typeof authentication.authTime === 'number' ? new Date(authentication.authTime * 1000).toISOString() : null,
    ...(authentication.acr !== undefined ? { acr: authentication.acr } : {}),
    ...(authentication.amr !== undefined ? { amr: authentication.amr } : {}),
  };
}
