import type { AuditRecord } from '../../../audit/audit-log';
import type { ActionState } from '../../../domain/types';
import type { VoteOptions } from '../pages/vote-options';
import { StatusBadge } from './badges';
import { DecisionPanel } from './decision-panel';
import { lineageHref } from './links';
import { NoticeBanner, type Notice } from './notice';
import { OutcomePanel } from './outcome-panel';
import { PreviewPanel, widensAccess } from './preview-panel';
import { RequestPanel } from './request-panel';
import { Timeline } from './timeline';
import { VotePanel, type VoteDraft } from './vote-panel';
import { VotesList } from './votes-list';

export interface ActionDetailProps {
  state: ActionState;
  /** False when no worker answered and the state was rebuilt from history (no policy, preview or votes). */
  live: boolean;
  /** The action's audit events, in order. */
  events: readonly AuditRecord[];
  options: VoteOptions;
  csrfToken: string;
  nonce: string;
  temporalUi?: string | undefined;
  auditor: boolean;
  notice?: Notice | undefined;
  draft?: VoteDraft | undefined;
}

/** The action page: the request, what it would change, the policy's decision, the votes and this person's, the outcome, the timeline. */
export function ActionDetail(props: ActionDetailProps) {
  const { state } = props;
  return (
    <>
      <p class="crumbs">
        <a href="/console">Inbox</a> / <code>{state.actionId}</code>
      </p>
      <h1>
        {state.request.action} <StatusBadge status={state.status} />
      </h1>
      {state.operation ? <p class="lead">{state.operation.summary}</p> : null}
      <NoticeBanner notice={props.notice} />
      {widensAccess(state.preview) ? (
        <p class="alert widening" role="alert">
          <strong>This change widens access.</strong> Read what would change below before you vote.
        </p>
      ) : null}
      {props.live ? null : (
        <p class="alert error">No worker answered in time: this is what history alone tells. The preview, the policy’s decision and the votes are missing.</p>
      )}
      <RequestPanel state={state} />
      <section class="panel preview">
        <h2>What would change</h2>
        <PreviewPanel preview={state.preview} />
      </section>
      <section class="panel decision">
        <h2>Policy decision</h2>
        <DecisionPanel state={state} />
      </section>
      <section class="panel votes-panel" id="vote">
        <h2>Votes</h2>
        <VotesList votes={state.votes} />
        <h3>Your vote</h3>
        <VotePanel options={props.options} actionId={state.actionId} csrfToken={props.csrfToken} nonce={props.nonce} draft={props.draft} />
      </section>
      <OutcomePanel state={state} />
      <section class="panel timeline-panel">
        <h2>Timeline</h2>
        <Timeline events={props.events} />
      </section>
      <p class="links">
        {props.temporalUi ? <a href={props.temporalUi}>Workflow in the Temporal UI</a> : null}
        {props.auditor ? <a href={lineageHref(state.actionId)}>Full audit lineage</a> : null}
      </p>
    </>
  );
}
