import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3ExportPrefix } from '../../operations/s3-export-prefix';
import type { OperationContext } from '../../operations/types';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { putObject, readObject, requiredEnv, testS3, TEST_REGION } from '../support/test-aws';

/** s3.exportPrefix against moto: the preview counts, the export copies, a repeat copies nothing. */
describe('s3.exportPrefix on moto', () => {
  const s3 = testS3();
  afterAll(() => s3.destroy());

  const context = (): OperationContext => ({
    actionId: `action-s3.exportPrefix-${randomUUID().slice(0, 8)}`,
    region: TEST_REGION,
    partition: 'aws',
    endpoint: requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT'),
    credentials: MOTO_BASE_CREDENTIALS,
  });

  it('previews object count and bytes, exports every object, and a repeat copies nothing again', async () => {
    const run = randomUUID();
    const params = s3ExportPrefix.params.parse({
      sourceBucket: 'airlock-src',
      sourcePrefix: `dataset/${run}/`,
      destinationBucket: 'airlock-exports',
      destinationPrefix: `partner/${run}/`,
    });
    const bodies = ['a,1\n', 'b,22\n', 'c,333\n'];
    for (const [i, body] of bodies.entries()) await putObject(s3, 'airlock-src', `dataset/${run}/part-${i}.csv`, body);
    await putObject(s3, 'airlock-exports', `partner/${run}/part-0.csv`, 'a,1\n'); // already there, same content

    const preview = await s3ExportPrefix.preview(params, context());
    expect(preview.facts).toEqual({
      objectCount: 3,
      totalBytes: bodies.join('').length,
      countTruncated: false,
      destinationObjectCount: 1,
    });
    expect(preview.warnings.join(' ')).toContain('already under the destination prefix');

    const first = await s3ExportPrefix.execute(params, context());
    expect(first.outputs).toMatchObject({ copied: 2, skipped: 1, resumed: false });
    for (const [i, body] of bodies.entries()) {
      expect(await readObject(s3, 'airlock-exports', `partner/${run}/part-${i}.csv`)).toBe(body);
    }
    const again = await s3ExportPrefix.execute(params, context());
    expect(again.outputs).toMatchObject({ copied: 0, skipped: 3 });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'airlock-exports', Prefix: `partner/${run}/` }));
    expect(listed.KeyCount).toBe(3);
  });
});
