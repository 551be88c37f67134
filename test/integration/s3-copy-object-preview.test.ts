import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException, type ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createPreviewActivities } from '../../activities/preview';
import { defaultCatalogue } from '../../operations/catalogue';
import type { S3Sender } from '../../operations/s3/client';
import { previewCopyObject, s3CopyObject, type CopyObjectParams } from '../../operations/s3/copy-object';
import { timeBoundPolicy } from '../../operations/session-time';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { memoryAuditLog } from '../support/audit';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { putObject, requiredEnv, TEST_REGION, testAwsSettings } from '../support/test-aws';

// s3.copyObject's preview against the shared moto server: through the preview activity (STS with
// the read-only policy) for existing and missing objects, and directly for the one-key listing
// that tells a missing object from an unreadable one when HEAD is refused.

const SOURCE_BUCKET = 'airlock-src';
const DESTINATION_BUCKET = 'airlock-exports';
const CSV = 'region,revenue\neu-west,1204500\nus-east,2311900\n';

let proxy: RecordingProxy;
let s3: S3Client;
let previewOperation: ReturnType<typeof createPreviewActivities>['previewOperation'];
let counter = 0;

beforeAll(async () => {
  const moto = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
  proxy = await startRecordingProxy(moto);
  s3 = new S3Client({ region: TEST_REGION, endpoint: moto, forcePathStyle: true, credentials: MOTO_BASE_CREDENTIALS });
  ({ previewOperation } = createPreviewActivities({
    catalogue: defaultCatalogue(),
    aws: testAwsSettings(proxy.endpoint),
    audit: memoryAuditLog(),
  }));
});

afterAll(async () => {
  s3?.destroy();
  await proxy?.stop();
});

function keys(): { sourceKey: string; destinationKey: string } {
  const id = randomUUID();
  return { sourceKey: `preview-it/${id}/report (q3)+ü.csv`, destinationKey: `preview-it/${id}/export.csv` };
}

function runPreview(params: CopyObjectParams) {
  counter += 1;
  return previewOperation({
    actionId: `action-s3.copyObject-previewit${String(counter).padStart(7, '0')}`,
    action: 's3.copyObject',
    params,
    requester: { id: 'etl-bot', source: 'api' },
  });
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

describe('preview', () => {
  test('an existing source and a missing destination', async () => {
    const { sourceKey, destinationKey } = keys();
    await s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: sourceKey, Body: CSV, ContentType: 'text/csv' }));
    const params = { sourceBucket: SOURCE_BUCKET, sourceKey, destinationBucket: DESTINATION_BUCKET, destinationKey };
    const preview = await runPreview(params);

    expect(preview.facts).toEqual({
      sourceExists: true,
      sourceBytes: Buffer.byteLength(CSV),
      sourceContentType: 'text/csv',
      sourceLastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      sourceETag: expect.stringMatching(/^".+"$/),
      destinationExists: false,
    });
    expect(preview.notes).toEqual([
      `copies ${Buffer.byteLength(CSV)} bytes (text/csv, modified ${today()}) to s3://${DESTINATION_BUCKET}/${destinationKey}, which does not exist yet`,
      `the copy is bound to this content (ETag ${String(preview.facts.sourceETag)}): if the source changes before it runs, the action fails`,
    ]);
    expect(preview.warnings).toEqual([]);
    expect(preview.preconditions).toEqual({ sourceETag: preview.facts.sourceETag });

    const [form] = proxy
      .exchanges()
      .map((exchange) => new URLSearchParams(exchange.requestBody))
      .filter((candidate) => candidate.get('Action') === 'AssumeRole')
      .slice(-1);
    const sent = JSON.parse(form?.get('Policy') ?? '{}');
    expect(sent).toEqual(timeBoundPolicy(s3CopyObject.previewPolicy(params, 'aws'), new Date(sent.Statement[0].Condition.DateLessThan['aws:CurrentTime'])));
  });

  test('an existing destination would be overwritten', async () => {
    const { sourceKey, destinationKey } = keys();
    await putObject(s3, SOURCE_BUCKET, sourceKey, CSV);
    await putObject(s3, DESTINATION_BUCKET, destinationKey, 'old');
    const preview = await runPreview({ sourceBucket: SOURCE_BUCKET, sourceKey, destinationBucket: DESTINATION_BUCKET, destinationKey });

    expect(preview.facts).toMatchObject({ sourceExists: true, destinationExists: true, destinationBytes: 3, destinationLastModified: expect.any(String) });
    expect(preview.warnings).toEqual([
      expect.stringMatching(new RegExp(`^s3://${DESTINATION_BUCKET}/${destinationKey} exists and would be overwritten \\(3 bytes`)),
    ]);
  });

  test('a destination with the same content is noted', async () => {
    const { sourceKey, destinationKey } = keys();
    await putObject(s3, SOURCE_BUCKET, sourceKey, CSV);
    await putObject(s3, DESTINATION_BUCKET, destinationKey, CSV);
    const preview = await runPreview({ sourceBucket: SOURCE_BUCKET, sourceKey, destinationBucket: DESTINATION_BUCKET, destinationKey });
    expect(preview.notes).toContain(`s3://${DESTINATION_BUCKET}/${destinationKey} already has the same content as the source (same ETag)`);
  });

  test('a missing source is a fact and a warning, not a failure', async () => {
    const { sourceKey, destinationKey } = keys();
    const preview = await runPreview({ sourceBucket: SOURCE_BUCKET, sourceKey, destinationBucket: DESTINATION_BUCKET, destinationKey });
    expect(preview.facts).toEqual({ sourceExists: false, destinationExists: false });
    expect(preview.warnings).toEqual([`source s3://${SOURCE_BUCKET}/${sourceKey} does not exist: the copy would fail`]);
  });

  test('a missing bucket reads as a missing object', async () => {
    const { sourceKey, destinationKey } = keys();
    await putObject(s3, SOURCE_BUCKET, sourceKey, CSV);
    const preview = await runPreview({ sourceBucket: SOURCE_BUCKET, sourceKey, destinationBucket: 'airlock-no-such-bucket', destinationKey });
    expect(preview.facts).toMatchObject({ sourceExists: true, destinationExists: false });
  });

  describe('when HEAD is refused (as S3 does for a missing key without s3:ListBucket)', () => {
    /** moto answers 404 for a missing key; this stand-in refuses every HEAD with 403 and lets listings through to moto. */
    const refusingHead: S3Sender = {
      send: (async (command: HeadObjectCommand | ListObjectsV2Command) => {
        if (command instanceof HeadObjectCommand) {
          throw new S3ServiceException({ name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Forbidden' });
        }
        return s3.send(command);
      }) as S3Sender['send'], // one of send's overloads, enough for the two commands the preview sends
    };

    test('the one-key listing finds the object itself, and ignores a longer key with the same prefix', async () => {
      const { sourceKey, destinationKey } = keys();
      await putObject(s3, SOURCE_BUCKET, sourceKey, CSV);
      await putObject(s3, DESTINATION_BUCKET, `${destinationKey}.bak`, 'sibling');
      const params = { sourceBucket: SOURCE_BUCKET, sourceKey, destinationBucket: DESTINATION_BUCKET, destinationKey };
      const preview = await previewCopyObject(params, refusingHead, { mayList: true });
      expect(preview.facts).toEqual({ sourceExists: true, destinationExists: false });
      expect(JSON.stringify(preview)).not.toContain('.bak');
    });
  });
});
