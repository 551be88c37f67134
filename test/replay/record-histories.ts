import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportedHistoryJson } from '../support/history';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { putObject, testS3 } from '../support/test-aws';

/**
 * Records one history per final state into test/replay/histories for the replay test.
 * Run deliberately with `npm run record-histories` after a workflow change that is meant to be
 * incompatible (and versioned); never part of `npm test`.
 */
const OUT = join(__dirname, 'histories');

describe('record histories', () => {
  let stack: Stack;
  const s3 = testS3();
  beforeAll(async () => {
    stack = await startStack(await bundleWorkflows());
    mkdirSync(OUT, { recursive: true });
  });
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  async function request(destinationBucket: string, keyPrefix: string, as = 'etl-bot'): Promise<string> {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, 'id,value\n1,2\n');
    const response = await stack.call(as, 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket, destinationKey: `${keyPrefix}/${randomUUID()}.csv` },
      justification: 'Recorded history for the replay test',
    });
    expect(response.statusCode).toBe(202);
    return response.json().id;
  }

  async function untilClosed(id: string): Promise<void> {
    await stack.client.workflow.getHandle(id).result();
  }

  async function save(name: string, id: string): Promise<void> {
    await untilClosed(id);
    writeFileSync(join(OUT, `${name}.json`), await exportedHistoryJson(id));
  }

  const vote = (as: string, id: string, decision: string, comment?: string) =>
    stack.call(as, 'POST', `/v1/actions/${id}/decisions`, { decision, ...(comment ? { comment } : {}) });

  it('records each final state', async () => {
    const approved = await request('airlock-exports', 'quorum-2');
    await vote('alice', approved, 'approve');
    await vote('bob', approved, 'approve');
    await save('approved-quorum-2', approved);

    await save('auto-allowed', await request('airlock-scratch', 'reports'));
    await save('denied', await request('airlock-elsewhere', 'reports'));

    const rejected = await request('airlock-exports', 'reports');
    await vote('carol', rejected, 'reject', 'Not approved for export');
    await save('rejected', rejected);

    const cancelled = await request('airlock-exports', 'reports');
    await stack.call('etl-bot', 'POST', `/v1/actions/${cancelled}/cancel`, { reason: 'no longer needed' });
    await save('cancelled', cancelled);

    await save('expired', await request('airlock-exports', 'expire-fast'));

    const refused = await request('airlock-exports', 'quorum-2', 'alice');
    await vote('alice', refused, 'approve'); // self
    await vote('mallory', refused, 'approve'); // not an approver
    await vote('bob', refused, 'approve');
    await vote('bob', refused, 'approve'); // double
    await vote('carol', refused, 'approve');
    await save('refused-votes', refused);
  });
});
