import { join } from 'node:path';
import { GetObjectTaggingCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { defaultCatalogue } from '../../../operations/catalogue';
import type { Operation } from '../../../operations/types';
import { loadUserOperations } from '../../../operations/user-operations';
import { boundTo, directContext } from '../../../test/support/operation-context';
import { putObject, requiredEnv, testS3 } from '../../../test/support/test-aws';

/** The example as Airlock loads it (it imports Airlock's build: `npm test` builds first). */
function tagObject(): Operation<{ bucket: string; key: string; tags: Record<string, string> }, { tagsDigest: string }> {
  const [operation] = loadUserOperations([join(__dirname, 'index.js')], defaultCatalogue().names());
  if (!operation) throw new Error('the example exports no operation');
  return operation as Operation<{ bucket: string; key: string; tags: Record<string, string> }, { tagsDigest: string }>;
}

describe('examples/operations: s3.tagObject', () => {
  const s3 = testS3();
  const endpoint = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
  afterAll(() => s3.destroy());

  it('passes the loader, with a session policy for exactly this object', () => {
    const operation = tagObject();
    expect(operation.sessionPolicy({ bucket: 'airlock-exports', key: 'a/b.csv', tags: {} }, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ThisObject', Effect: 'Allow', Action: ['s3:GetObjectTagging', 's3:PutObjectTagging'], Resource: ['arn:aws:s3:::airlock-exports/a/b.csv'] },
      ],
    });
    expect(operation.previewPolicy({ bucket: 'airlock-exports', key: 'a/b.csv', tags: {} }, 'aws').Statement[0]?.Action).toEqual(['s3:GetObjectTagging']);
    for (const params of [
      { bucket: 'airlock-exports', key: 'a/*', tags: {} },
      { bucket: 'Bad_Bucket', key: 'k', tags: {} },
      { bucket: 'airlock-exports', key: 'k', tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'v'])) },
      { bucket: 'airlock-exports', key: 'k', tags: {}, extra: true },
    ]) {
      expect(operation.params.safeParse(params).success).toBe(false);
    }
  });

  it('previews the change, tags the object, and refuses to run once the tags changed after the preview', async () => {
    const operation = tagObject();
    const key = `tag-example/${Date.now()}.csv`;
    await putObject(s3, 'airlock-exports', key, 'a,b\n');
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'airlock-exports', Key: key, Tagging: { TagSet: [{ Key: 'owner', Value: 'etl' }] } }));
    const params = { bucket: 'airlock-exports', key, tags: { retention: '90d' } };
    const context = directContext(endpoint);

    const preview = await operation.preview(params, context);
    expect(preview.facts).toMatchObject({ removed: 'owner', added: 'retention', changed: '' });
    expect(preview.warnings.join(' ')).toMatch(/removes tags owner/);

    // Someone retags the object between review and execution: nothing is written.
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'airlock-exports', Key: key, Tagging: { TagSet: [{ Key: 'owner', Value: 'bi' }] } }));
    await expect(operation.execute(params, boundTo(operation, context, preview))).rejects.toMatchObject({ name: 'PreconditionFailedError' });
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'airlock-exports', Key: key }))).TagSet).toEqual([{ Key: 'owner', Value: 'bi' }]);

    const fresh = await operation.preview(params, context);
    await expect(operation.execute(params, boundTo(operation, context, fresh))).resolves.toMatchObject({ outputs: { tags: 1 } });
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'airlock-exports', Key: key }))).TagSet).toEqual([{ Key: 'retention', Value: '90d' }]);
    // A retry after a lost reply finds the change in place and does not write again.
    await expect(operation.findApplied?.(params, boundTo(operation, context, fresh))).resolves.toMatchObject({ outputs: { tags: 1 } });
  });
});
