import { parsePreconditions } from '../operations/preconditions';
import type { OperationPreview } from '../operations/types';
import type { JsonObject, Requester } from '../domain/types';
import { oneShotRunner, type OneShotDeps } from './one-shot-session';

export interface PreviewOperationInput {
  actionId: string;
  action: string;
  params: JsonObject;
  requester: Requester;
}

/**
 * The preview activity: what the operation would change, read with a session that can only read
 * (the operation's preview policy), before anyone is asked to decide. An operation that binds its
 * execution to its preview must return preconditions its own schema accepts: a preview that does
 * not fails here (`invalid_preconditions`), before review, rather than after approval.
 */
export function createPreviewActivities(deps: OneShotDeps) {
  const runOneShot = oneShotRunner(deps);
  return {
    async previewOperation(input: PreviewOperationInput): Promise<OperationPreview> {
      const { value } = await runOneShot({ ...input, approvers: [] }, 'preview', async (operation, params, context) => {
        const preview = await operation.preview(params, context);
        parsePreconditions(operation, preview.preconditions, 'preview');
        return preview;
      });
      return value;
    },
  };
}
