import { isGrpcServiceError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ActionNotFoundError } from '../domain/errors';

/** gRPC NOT_FOUND (grpc-js is the Temporal client's dependency, not ours). */
const NOT_FOUND = 5;

/**
 * Resolves once the workflow `actionId` has closed, or as soon as `signal` aborts. It waits on
 * Temporal's own long poll for the close event (what `handle.result()` does), so nothing polls
 * here: the server answers when the close is recorded, or after its long-poll interval, and the
 * loop asks again. Unlike `result()`, it never decodes the result, and it checks the signal before
 * each call: the client cancels a call when the signal aborts, so a call started after the abort
 * would otherwise run to the server's interval, and the next one again.
 */
export async function waitForClose(client: Client, actionId: string, signal: AbortSignal): Promise<void> {
  const request: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryRequest = {
    namespace: client.options.namespace,
    execution: { workflowId: actionId },
    waitNewEvent: true,
    skipArchival: true,
    historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  };
  while (!signal.aborted) {
    let response: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse;
    try {
      response = await client.withAbortSignal(signal, () => client.workflowService.getWorkflowExecutionHistory(request));
    } catch (err) {
      if (signal.aborted) return;
      if (isGrpcServiceError(err) && err.code === NOT_FOUND) throw new ActionNotFoundError(actionId);
      throw err;
    }
    if (response.history?.events?.length) return;
    request.nextPageToken = response.nextPageToken ?? null;
  }
}
