import { randomUUID } from 'node:crypto';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { objectExists, putObject, readObject, testS3 } from '../support/test-aws';

/** 20 harmless bytes: what the reviewers see in the preview (size and ETag). */
const BAIT = 'id,note\n1,harmless!\n';
const SALARIES = 'name,salary\nalice,185000\nbob,172000\ncarol,168000\n';

/**
 * Issue 16's bait swap, end to end over HTTP against the real workflow, the dev server and moto.
 * An agent asks for a reviewed copy of a harmless scratch object to the exports bucket, then
 * overwrites that object with the salaries through the auto-allowed scratch rule of the test
 * policy, then a reviewer approves what they saw. The copy is bound to the previewed ETag, so the
 * action fails `precondition_failed` and the salaries never reach the exports bucket.
 */
describe('the bait swap: what was reviewed is what runs', () => {
  let stack: Stack;
  const s3 = testS3();

  beforeAll(async () => {
    stack = await startStack(await bundleWorkflows());
  });
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  async function submit(params: object) {
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', { action: 's3.copyObject', params, justification: 'Weekly partner report, as agreed' });
    expect(response.statusCode).toBe(202);
    return response.json();
  }

  async function waitForStatus(id: string, statuses: string[]) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const view = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();
      if (statuses.includes(view.status)) return view;
      if (Date.now() > deadline) throw new Error(`action ${id} is ${view.status}, expected one of ${statuses.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('the source swapped after the preview through the auto-allowed rule: approved, then failed precondition_failed, nothing exported', async () => {
    const run = randomUUID();
    const baitKey = `bait/${run}.csv`;
    const exportKey = `partner/${run}.csv`;
    await putObject(s3, 'airlock-scratch', baitKey, BAIT);
    await putObject(s3, 'airlock-src', `hr/${run}/salaries.csv`, SALARIES);

    // 1. The reviewed copy: reviewers see 20 bytes and the bait's ETag.
    const reviewed = await submit({ sourceBucket: 'airlock-scratch', sourceKey: baitKey, destinationBucket: 'airlock-exports', destinationKey: exportKey });
    expect(reviewed).toMatchObject({ status: 'pending_review', policy: { ruleId: 'review-exports' } });
    const pending = await waitForStatus(reviewed.id, ['pending_review']);
    expect(pending.preview.facts).toMatchObject({ sourceExists: true, sourceBytes: 20 });
    const baitETag = pending.preview.facts.sourceETag;
    expect(pending.preview.preconditions).toEqual({ sourceETag: baitETag });

    // 2. The swap, through the auto-allowed scratch rule: the salaries overwrite the bait.
    const swap = await submit({
      sourceBucket: 'airlock-src',
      sourceKey: `hr/${run}/salaries.csv`,
      destinationBucket: 'airlock-scratch',
      destinationKey: baitKey,
    });
    expect(swap.policy).toMatchObject({ effect: 'allow', ruleId: 'auto-allow-scratch' });
    await waitForStatus(swap.id, ['succeeded']);
    expect(await readObject(s3, 'airlock-scratch', baitKey)).toBe(SALARIES);

    // 3. A reviewer approves what they saw.
    const vote = await stack.call('bob', 'POST', `/v1/actions/${reviewed.id}/decisions`, { decision: 'approve', comment: '20 bytes of notes, fine' });
    expect(vote.statusCode).toBe(200);

    const done = await waitForStatus(reviewed.id, ['succeeded', 'failed']);
    expect(done.status).toBe('failed');
    expect(done.error.type).toBe('precondition_failed');
    expect(done.error.message).toContain(`s3://airlock-scratch/${baitKey} changed after the preview: the preview read ETag ${baitETag}, it now has ETag`);
    expect(done.result).toBeNull();
    expect(await objectExists(s3, 'airlock-exports', exportKey)).toBe(false);

    // The trail shows what was approved (the preconditions) and why it did not run.
    const lineage = await stack.audit.lineage(reviewed.id);
    expect(lineage.find((event) => event.kind === 'preview.completed')?.data.preconditions).toEqual({ sourceETag: baitETag });
    expect(lineage.find((event) => event.kind === 'operation.failed')?.data).toMatchObject({ error: { type: 'precondition_failed' } });
  });
});
