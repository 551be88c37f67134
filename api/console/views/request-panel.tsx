import type { ActionState } from '../../../domain/types';
import { StatusBadge } from './badges';
import { formatTime } from './format';
import { JsonBlock } from './json-block';
import { ParamsTable } from './params-table';

/** Who asks, for what and why: the requester, the action and its one-line summary, every parameter, the justification. */
export function RequestPanel(props: { state: ActionState }) {
  const { request, operation } = props.state;
  return (
    <section class="panel request">
      <h2>Request</h2>
      <dl class="facts">
        <div>
          <dt>Requester</dt>
          <dd>
            <strong>{request.requester.id}</strong> <span class="muted">{`via ${request.requester.source}`}</span>
          </dd>
        </div>
        <div>
          <dt>Action</dt>
          <dd>
            <code>{request.action}</code>
          </dd>
        </div>
        {operation ? (
          <div>
            <dt>Operation</dt>
            <dd>{operation.summary}</dd>
          </div>
        ) : null}
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={props.state.status} />
          </dd>
        </div>
        <div>
          <dt>Requested</dt>
          <dd>{formatTime(request.requestedAt)}</dd>
        </div>
      </dl>
      <h3>Justification</h3>
      <blockquote class="justification">{request.justification}</blockquote>
      <h3>Parameters</h3>
      <ParamsTable params={request.params} />
      {request.context ? (
        <>
          <h3>Context</h3>
          <JsonBlock value={request.context} />
        </>
      ) : null}
    </section>
  );
}
