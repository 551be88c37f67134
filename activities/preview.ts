import type { OperationPreview } from '../operations/types';
import type { JsonObject, Requester } from '../workflows/types';
import { oneShotRunner, type OneShotDeps } from './one-shot-session';

export interface PreviewOperationInput {
  actionId: string;
  action: string;
  params: JsonObject;
  requester: Requester;
}

/**
 * The preview activity: what the operation would change, read with a session that can only read
 * (the operation's preview policy), before anyone is asked to decide.
 */
export function createPreviewActivities(deps: OneShotDeps) {
  const runOneShot = oneShotRunner(deps);
  return {
    async previewOperation(input: PreviewOperationInput): Promise<OperationPreview> {
      const { value } = await runOneShot({ ...input, approvers: [] }, 'preview', (operation, params, context) =>
        operation.preview(params, context),
      );
      return value;
    },
  };
}
