import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { idempotentActionId } from '../../api/action-id';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';

const MODULE = join(__dirname, '..', 'fixtures', 'operations', 'held-preview.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the very module instance the stack's catalogue loaded, to hold its previews
const held = require(MODULE) as { previewing(): Promise<void>; releasePreviews(): void };

/**
 * A requester's cancel that reaches an auto-allowed action while admission still reads its preview,
 * on the real stack: the cancel stops admission (it waits for it, and admission no longer waits for
 * the preview), so nothing of admission's outcome is stored and nothing runs.
 */
describe('a cancel while admission previews', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(await bundleWorkflows(), {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-held-preview.yaml'),
      operationModules: [MODULE],
    });
  });
  afterAll(async () => {
    held.releasePreviews();
    await stack?.stop();
  });

  test('is answered while the preview still waits; the trail ends with the cancel, no approval and no execution', async () => {
    const key = randomUUID();
    const id = idempotentActionId('demo.heldPreview', 'etl-bot', key);
    const request = { action: 'demo.heldPreview', params: { table: 'orders', key: 'k1' }, justification: 'Touch one item, then think better of it' };
    const submitted = stack.call('etl-bot', 'POST', '/v1/actions', request, { 'idempotency-key': key });
    await held.previewing();

    const cancelled = await stack.call('etl-bot', 'POST', `/v1/actions/${id}/cancel`, { reason: 'asked for the wrong item' });
    expect([cancelled.statusCode, cancelled.json().status]).toEqual([200, 'cancelled']);
    // The request's own answer came once admission ended: the action as the cancel left it.
    const answered = await submitted;
    expect([answered.statusCode, answered.json().status]).toEqual([202, 'cancelled']);
    const final = await stack.client.workflow.getHandle(id).result();
    expect(final).toMatchObject({ status: 'cancelled', cancellation: { by: 'etl-bot', reason: 'asked for the wrong item' } });
    expect(final.policy).toBeUndefined();

    const lineage = await stack.call('audrey', 'GET', `/v1/actions/${id}/lineage`);
    const kinds = (lineage.json().events as { kind: string; data: { purpose?: string } }[]).map((event) =>
      event.kind === 'credential.issued' ? `credential.issued (${event.data.purpose})` : event.kind,
    );
    expect(kinds).toEqual(['request.received', 'credential.issued (preview)', 'action.cancelled']);
  });
});
