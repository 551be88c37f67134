import { CopyObjectCommand, HeadObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { PreconditionFailedError } from '../../../../operations/preconditions';
import type { S3Sender } from '../../../../operations/s3/client';
import { copyAsPreviewed, type CopyObjectParams } from '../../../../operations/s3/copy-object';
import { rejectionOf } from '../../../support/failures';

const params: CopyObjectParams = {
  sourceBucket: 'airlock-scratch',
  sourceKey: 'bait.csv',
  destinationBucket: 'airlock-exports',
  destinationKey: 'partner/bait.csv',
};
const REVIEWED = '"5d41402abc4b2a76b9719d911017c592"';
const SWAPPED = '"9f0c2b0e4d1c6a7b8e3f5a1d2c4b6e8f"';

function s3Error(status: number, name: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}

/**
 * A fake S3 holding the source: each HeadObject answers with the next of `heads` (the last one
 * repeats), CopyObject answers `copy`. Every command sent is kept.
 */
function fakeS3(heads: (object | S3ServiceException)[], copy: object | S3ServiceException = { CopyObjectResult: { ETag: REVIEWED } }) {
  const sent: (HeadObjectCommand | CopyObjectCommand)[] = [];
  let next = 0;
  const s3 = {
    send: async (command: HeadObjectCommand | CopyObjectCommand) => {
      sent.push(command);
      const answer = command instanceof HeadObjectCommand ? heads[Math.min(next++, heads.length - 1)] : copy;
      if (answer instanceof S3ServiceException) throw answer;
      return answer;
    },
  } as unknown as S3Sender; // the operation only calls send()
  return { s3, sent, copies: () => sent.filter((command): command is CopyObjectCommand => command instanceof CopyObjectCommand) };
}

function refusalOf(promise: Promise<unknown>): Promise<PreconditionFailedError> {
  return rejectionOf(promise, PreconditionFailedError);
}

describe('s3.copyObject execution, bound to the previewed source', () => {
  test('copies with CopySourceIfMatch on the previewed ETag, after reading the same ETag', async () => {
    const { s3, sent, copies } = fakeS3([{ ETag: REVIEWED, ContentLength: 20 }], { CopyObjectResult: { ETag: REVIEWED }, VersionId: 'v2' });
    const outcome = await copyAsPreviewed(params, s3, { sourceETag: REVIEWED });
    expect(sent.map((command) => command.constructor.name)).toEqual(['HeadObjectCommand', 'CopyObjectCommand']);
    expect(sent[0]?.input).toEqual({ Bucket: 'airlock-scratch', Key: 'bait.csv' });
    expect(copies()[0]?.input).toEqual({
      CopySource: 'airlock-scratch/bait.csv',
      CopySourceIfMatch: REVIEWED,
      Bucket: 'airlock-exports',
      Key: 'partner/bait.csv',
      TaggingDirective: 'REPLACE',
    });
    expect(outcome).toEqual({
      summary: 'copy s3://airlock-scratch/bait.csv to s3://airlock-exports/partner/bait.csv',
      outputs: { destination: 's3://airlock-exports/partner/bait.csv', etag: REVIEWED, versionId: 'v2' },
    });
  });

  test('a source replaced after the preview: refused before the copy, saying what it is now', async () => {
    const { s3, copies } = fakeS3([{ ETag: SWAPPED, ContentLength: 2_100_000, ContentType: 'text/csv', LastModified: new Date('2026-11-30T11:00:00Z') }]);
    const refused = await refusalOf(copyAsPreviewed(params, s3, { sourceETag: REVIEWED }));
    expect(refused.message).toBe(
      `s3://airlock-scratch/bait.csv changed after the preview: the preview read ETag ${REVIEWED}, it now has ETag ${SWAPPED} ` +
        '(2.1 MB (text/csv, modified 2026-11-30)); nothing was copied',
    );
    expect(copies()).toEqual([]);
  });

  test('replaced between the read and the copy: S3 refuses the copy (412), and the failure says what changed', async () => {
    const { s3, copies } = fakeS3([{ ETag: REVIEWED }, { ETag: SWAPPED, ContentLength: 1000 }], s3Error(412, 'PreconditionFailed'));
    const refused = await refusalOf(copyAsPreviewed(params, s3, { sourceETag: REVIEWED }));
    expect(refused.message).toContain(`it now has ETag ${SWAPPED} (1.0 kB)`);
    expect(copies()).toHaveLength(1); // sent, and refused by S3's own condition
  });

  test('a source deleted after the preview is a changed world too', async () => {
    const { s3, copies } = fakeS3([s3Error(404, 'NotFound')]);
    const refused = await refusalOf(copyAsPreviewed(params, s3, { sourceETag: REVIEWED }));
    expect(refused.message).toBe(`s3://airlock-scratch/bait.csv was deleted after the preview (the preview read ETag ${REVIEWED}); nothing was copied`);
    expect(copies()).toEqual([]);
  });

  test('a source the preview could not read, still missing: NoSuchKey, as the copy itself would fail; nothing copied', async () => {
    const { s3, copies } = fakeS3([s3Error(404, 'NotFound')]);
    await expect(copyAsPreviewed(params, s3, { sourceETag: null })).rejects.toMatchObject({
      name: 'NoSuchKey',
      message: 's3://airlock-scratch/bait.csv does not exist (nor did it when previewed); nothing was copied',
    });
    expect(copies()).toEqual([]);
  });

  test('a source the preview could not read that exists now: unreviewed content, refused', async () => {
    const { s3, copies } = fakeS3([{ ETag: SWAPPED }]);
    const refused = await refusalOf(copyAsPreviewed(params, s3, { sourceETag: null }));
    expect(refused.message).toContain(`s3://airlock-scratch/bait.csv exists now (ETag ${SWAPPED}), but the preview could not read it`);
    expect(copies()).toEqual([]);
  });

  test('other errors pass through unchanged for the activity to classify', async () => {
    const { s3 } = fakeS3([{ ETag: REVIEWED }], s3Error(404, 'NoSuchBucket'));
    await expect(copyAsPreviewed(params, s3, { sourceETag: REVIEWED })).rejects.toMatchObject({ name: 'NoSuchBucket' });
    const denied = fakeS3([s3Error(403, 'Forbidden')]);
    await expect(copyAsPreviewed(params, denied.s3, { sourceETag: REVIEWED })).rejects.toMatchObject({ name: 'Forbidden' });
  });
});
