import type { ComponentChildren } from 'preact';
import type { ActionState } from '../../../domain/types';
import { eligibleApprovers } from '../../../workflows/approvers';
import { RiskBadge } from './badges';
import { Deadline } from './deadline';
import { formatDuration, formatTime } from './format';

/** The policy's decision: the rule, risk and reason, and for a review who may approve, how many, until when, and what else it asks. */
export function DecisionPanel(props: { state: ActionState }) {
  const { state } = props;
  const policy = state.policy;
  if (!policy) return <p class="muted">Policy has not decided yet.</p>;
  const review = policy.review;
  const approvals = state.votes.filter((vote) => vote.verdict === 'approve').length;
  return (
    <dl class="facts">
      <Row label="Effect">{policy.effect}</Row>
      <Row label="Rule">
        <code>{policy.ruleId}</code>
      </Row>
      <Row label="Risk">
        <RiskBadge risk={policy.risk} />
      </Row>
      <Row label="Reason">{policy.reason}</Row>
      {review ? (
        <>
          <Row label="Approvers">{`${review.approverGroups.join(', ')}: ${eligibleApprovers(state).join(', ') || 'nobody by name'}`}</Row>
          {review.poolIdpGroups?.length ? <Row label="IdP groups">{review.poolIdpGroups.join(', ')}</Row> : null}
          <Row label="Quorum">{`${approvals} of ${review.quorum} approvals`}</Row>
          <Row label="Deadline">
            <Deadline at={state.deadline} />
          </Row>
          {review.stepUpMaxAgeMs !== undefined ? (
            <Row label="Step-up">{`votes count only from a sign-in at most ${formatDuration(review.stepUpMaxAgeMs)} old`}</Row>
          ) : null}
          {review.escalation ? (
            <Row label="Escalation">
              {state.escalation
                ? `escalated ${formatTime(state.escalation.at)} to ${state.escalation.approverGroups.join(', ')}${
                    state.escalation.addedApprovers.length ? ` (adds ${state.escalation.addedApprovers.join(', ')})` : ''
                  }`
                : `after ${formatDuration(review.escalation.afterMs)} without a decision, to ${review.escalation.approverGroups.join(', ')}`}
            </Row>
          ) : null}
          <Row label="Channels">{review.channels.join(', ')}</Row>
        </>
      ) : null}
      <Row label="Policy">
        <code class="hash">{policy.policyHash}</code>
      </Row>
    </dl>
  );
}

function Row(props: { label: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}
