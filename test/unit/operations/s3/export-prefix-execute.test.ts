import { HeadObjectCommand, ListObjectsV2Command, S3ServiceException, type CopyObjectCommand } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity } from '@smithy/types';
import { PreconditionFailedError } from '../../../../operations/preconditions';
import {
  exportAsPreviewed,
  exportPrefixParams,
  previewExport,
  type ExportPrefixPreconditions,
  type S3ClientFactory,
} from '../../../../operations/s3/export-prefix';
import { manifestDigest } from '../../../../operations/s3/manifest';
import type { ExecutionContext, OperationContext, OperationProgress } from '../../../../operations/types';
import { rejectionOf } from '../../../support/failures';

const params = exportPrefixParams.parse({ sourceBucket: 'warehouse', sourcePrefix: 'd/', destinationBucket: 'drop', destinationPrefix: 'acme/' });

type Stored = { etag: string; size: number };

/**
 * S3 in memory, answering as S3 does what the export sends: ListObjectsV2 (pages of MaxKeys, in
 * key order), HeadObject (404 when missing), and CopyObject (412 when CopySourceIfMatch is not the
 * source's ETag, which real S3 enforces and moto does not). Each command is kept with the access
 * key it was sent with.
 */
class FakeS3 {
  readonly objects = new Map<string, Stored>();
  readonly sent: { command: string; input: Record<string, unknown>; accessKeyId: string }[] = [];
  /** Runs before each CopyObject: lets a test change the world mid-export. */
  beforeCopy: (copyNumber: number) => void = () => undefined;
  private copiesSeen = 0;

  put(bucket: string, key: string, etag: string, size = 10): void {
    this.objects.set(`${bucket}/${key}`, { etag, size });
  }

  clients(): S3ClientFactory {
    return (credentials: AwsCredentialIdentity) =>
      ({
        send: (command: ListObjectsV2Command | HeadObjectCommand | CopyObjectCommand) => this.answer(command, credentials.accessKeyId),
        destroy: () => undefined,
      }) as unknown as ReturnType<S3ClientFactory>; // the export only calls send() and destroy()
  }

  copied(): string[] {
    return this.sent.filter((entry) => entry.command === 'CopyObjectCommand').map((entry) => String(entry.input.Key));
  }

  private async answer(command: ListObjectsV2Command | HeadObjectCommand | CopyObjectCommand, accessKeyId: string): Promise<unknown> {
    this.sent.push({ command: command.constructor.name, input: { ...command.input }, accessKeyId });
    if (command instanceof ListObjectsV2Command) {
      const { Bucket, Prefix = '', MaxKeys = 1000, ContinuationToken } = command.input;
      const keys = [...this.objects.keys()].filter((path) => path.startsWith(`${Bucket}/${Prefix}`)).sort();
      const from = Number(ContinuationToken ?? 0);
      const page = keys.slice(from, from + MaxKeys);
      const more = from + MaxKeys < keys.length;
      return {
        Contents: page.map((path) => ({ Key: path.slice(`${Bucket}/`.length), ETag: this.objects.get(path)?.etag, Size: this.objects.get(path)?.size })),
        IsTruncated: more,
        ...(more ? { NextContinuationToken: String(from + MaxKeys) } : {}),
      };
    }
    if (command instanceof HeadObjectCommand) {
      const found = this.objects.get(`${command.input.Bucket}/${command.input.Key}`);
      if (!found) throw new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 }, message: 'NotFound' });
      return { ETag: found.etag, ContentLength: found.size };
    }
    this.beforeCopy(++this.copiesSeen);
    const source = this.objects.get(String(command.input.CopySource));
    if (!source || source.etag !== command.input.CopySourceIfMatch) {
      throw new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      });
    }
    this.objects.set(`${command.input.Bucket}/${command.input.Key}`, { ...source });
    return { CopyObjectResult: { ETag: source.etag } };
  }
}

/** A context whose credentials are renewed on request, each with a new key id and `windowMs` to live. */
function contextFor(options: { windowMs?: number; progress?: OperationProgress } = {}) {
  const windowMs = options.windowMs ?? 60_000;
  let issued = 1;
  const credentials = (n: number): AwsCredentialIdentity => ({ accessKeyId: `KEY${n}`, secretAccessKey: `secret${n}` });
  const context: OperationContext = {
    actionId: 'action-s3.exportPrefix-unit',
    region: 'eu-west-1',
    partition: 'aws',
    credentials: credentials(1),
    usableUntil: new Date(Date.now() + windowMs),
    renewCredentials: async () => {
      issued += 1;
      return { credentials: credentials(issued), usableUntil: new Date(Date.now() + windowMs) };
    },
    ...(options.progress ? { progress: options.progress } : {}),
  };
  return { context, issued: () => issued };
}

function bound(context: OperationContext, preconditions: ExportPrefixPreconditions): ExecutionContext<ExportPrefixPreconditions> {
  return { ...context, preconditions };
}

/** Three source objects, and what their preview binds the export to. */
async function threeObjects(): Promise<{ s3: FakeS3; reviewed: ExportPrefixPreconditions }> {
  const s3 = new FakeS3();
  s3.put('warehouse', 'd/a.csv', '"a1"', 4);
  s3.put('warehouse', 'd/b.csv', '"b1"', 5);
  s3.put('warehouse', 'd/c.csv', '"c1"', 6);
  const preview = await previewExport(params, contextFor().context, s3.clients());
  return { s3, reviewed: preview.preconditions as ExportPrefixPreconditions };
}

function refusalOf(promise: Promise<unknown>): Promise<PreconditionFailedError> {
  return rejectionOf(promise, PreconditionFailedError);
}

describe('s3.exportPrefix manifest', () => {
  test('the digest covers every key, ETag and size, whatever order they were listed in', () => {
    const a = { key: 'd/a.csv', etag: '"a1"', size: 4 };
    const b = { key: 'd/b.csv', etag: '"b1"', size: 5 };
    const digest = manifestDigest([b, a]);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(manifestDigest([a, b])).toBe(digest);
    expect(manifestDigest([a, { ...b, etag: '"b2"' }])).not.toBe(digest);
    expect(manifestDigest([a, { ...b, size: 6 }])).not.toBe(digest);
    expect(manifestDigest([a, { ...b, key: 'd/c.csv' }])).not.toBe(digest);
    expect(manifestDigest([a])).not.toBe(digest);
    // JSON lines: a key holding a newline or a quote cannot pass for another entry.
    expect(manifestDigest([{ key: 'a"\n', etag: '"x"', size: 1 }])).not.toBe(manifestDigest([{ key: 'a', etag: '"\n', size: 1 }]));
  });

  test('the preview binds the export to what it listed: count, bytes and digest', async () => {
    const { reviewed } = await threeObjects();
    expect(reviewed).toEqual({
      objectCount: 3,
      totalBytes: 15,
      manifestSha256: manifestDigest([
        { key: 'd/a.csv', etag: '"a1"', size: 4 },
        { key: 'd/b.csv', etag: '"b1"', size: 5 },
        { key: 'd/c.csv', etag: '"c1"', size: 6 },
      ]),
    });
  });
});

describe('s3.exportPrefix execution, bound to the previewed manifest', () => {
  test('copies exactly the manifest, each copy conditioned on its listed ETag', async () => {
    const { s3, reviewed } = await threeObjects();
    const outcome = await exportAsPreviewed(params, bound(contextFor().context, reviewed), s3.clients());
    expect(outcome.outputs).toEqual({ copied: 3, skipped: 0, bytes: 15, destination: 's3://drop/acme/', resumed: false });
    const copies = s3.sent.filter((entry) => entry.command === 'CopyObjectCommand').map((entry) => [entry.input.Key, entry.input.CopySourceIfMatch]);
    expect(copies).toEqual([
      ['acme/a.csv', '"a1"'],
      ['acme/b.csv', '"b1"'],
      ['acme/c.csv', '"c1"'],
    ]);
  });

  test.each([
    [
      'an object replaced',
      (s3: FakeS3) => s3.put('warehouse', 'd/b.csv', '"b2"', 5),
      'there are as many, of the same total size, but a key or an ETag differs',
    ],
    ['an object replaced by a larger one', (s3: FakeS3) => s3.put('warehouse', 'd/b.csv', '"b2"', 5000), 'there are now 3 (5.0 kB)'],
    ['an object added', (s3: FakeS3) => s3.put('warehouse', 'd/bb.csv', '"x"', 1), 'there are now more'],
    ['an object removed', (s3: FakeS3) => s3.objects.delete('warehouse/d/c.csv'), 'there are now 2 (9 bytes)'],
    [
      'an object renamed',
      (s3: FakeS3) => {
        s3.objects.delete('warehouse/d/c.csv');
        s3.put('warehouse', 'd/salaries.csv', '"c1"', 6);
      },
      'a key or an ETag differs',
    ],
  ])('%s after the preview: fails before copying anything, saying what changed', async (_name, change, says) => {
    const { s3, reviewed } = await threeObjects();
    change(s3);
    const refused = await refusalOf(exportAsPreviewed(params, bound(contextFor().context, reviewed), s3.clients()));
    expect(refused.message).toContain('the objects under s3://warehouse/d/ changed after the preview: the preview listed 3 object(s) (15 bytes)');
    expect(refused.message).toContain(says);
    expect(refused.message).toMatch(/; nothing was copied$/);
    expect(s3.copied()).toEqual([]);
  });

  test('an object replaced during the export is not copied: S3 refuses the conditioned copy, and the export stops there', async () => {
    const { s3, reviewed } = await threeObjects();
    s3.beforeCopy = (n) => {
      if (n === 2) s3.put('warehouse', 'd/b.csv', '"salaries"', 5);
    };
    const refused = await refusalOf(exportAsPreviewed(params, bound(contextFor().context, reviewed), s3.clients()));
    expect(refused.message).toBe(
      's3://warehouse/d/b.csv was replaced during the export (the preview listed ETag "b1") and was not copied; the export stopped with 1 of 3 object(s) done',
    );
    expect(s3.objects.get('drop/acme/b.csv')).toBeUndefined();
    expect(s3.objects.get('drop/acme/c.csv')).toBeUndefined();
  });

  test('a preview that stopped counting reviewed no manifest: the export refuses without listing', async () => {
    const { s3 } = await threeObjects();
    const before = s3.sent.length;
    const refused = await refusalOf(
      exportAsPreviewed(params, bound(contextFor().context, { objectCount: 100_000, totalBytes: 1, manifestSha256: null }), s3.clients()),
    );
    expect(refused.message).toContain('the preview stopped listing s3://warehouse/d/ at 100000 objects, so no manifest was reviewed');
    expect(s3.sent.length).toBe(before);
  });

  test('a retry checks the manifest again and resumes after the last reported key', async () => {
    const { s3, reviewed } = await threeObjects();
    s3.put('drop', 'acme/a.csv', '"a1"', 4); // copied by the crashed attempt, which reported it
    s3.put('drop', 'acme/b.csv', '"b1"', 5); // copied by the crashed attempt after its last report
    const reports: unknown[] = [];
    const progress: OperationProgress = {
      resumeFrom: () => ({ startAfter: 'd/a.csv', copied: 1, skipped: 0, bytes: 4 }),
      report: (details) => reports.push(details),
    };
    const outcome = await exportAsPreviewed(params, bound(contextFor({ progress }).context, reviewed), s3.clients());
    expect(outcome.outputs).toEqual({ copied: 2, skipped: 1, bytes: 10, destination: 's3://drop/acme/', resumed: true });
    expect(s3.copied()).toEqual(['acme/c.csv']);
    expect(reports).toEqual([
      { startAfter: 'd/b.csv', copied: 1, skipped: 1, bytes: 4 },
      { startAfter: 'd/c.csv', copied: 2, skipped: 1, bytes: 10 },
    ]);
  });

  test('a retry after the source changed copies nothing more, and says so', async () => {
    const { s3, reviewed } = await threeObjects();
    s3.put('warehouse', 'd/c.csv', '"c2"', 6);
    const progress: OperationProgress = { resumeFrom: () => ({ startAfter: 'd/a.csv', copied: 1, skipped: 0, bytes: 4 }), report: () => undefined };
    const refused = await refusalOf(exportAsPreviewed(params, bound(contextFor({ progress }).context, reviewed), s3.clients()));
    expect(refused.message).toMatch(/; nothing more was copied$/);
    expect(s3.copied()).toEqual([]);
  });
});

describe('s3.exportPrefix credentials, batch by batch', () => {
  test('with time left, one credential does the whole export', async () => {
    const { s3, reviewed } = await threeObjects();
    const { context, issued } = contextFor({ windowMs: 60_000 });
    await exportAsPreviewed(params, bound(context, reviewed), s3.clients());
    expect(issued()).toBe(1);
  });

  test('when a credential has less than 10 s left, the next step runs on a new one, and no step uses an old one', async () => {
    const { s3, reviewed } = await threeObjects();
    const { context, issued } = contextFor({ windowMs: 5_000 }); // every credential is nearly spent as soon as it is issued
    const before = s3.sent.length;
    await exportAsPreviewed(params, bound(context, reviewed), s3.clients());
    const keys = s3.sent.slice(before).map((entry) => `${entry.command.replace('Command', '')}:${entry.accessKeyId}`);
    // One listing page, then per object a destination check and a copy: a new credential per step.
    expect(keys).toEqual([
      'ListObjectsV2:KEY2',
      'HeadObject:KEY3',
      'CopyObject:KEY3',
      'HeadObject:KEY4',
      'CopyObject:KEY4',
      'HeadObject:KEY5',
      'CopyObject:KEY5',
    ]);
    expect(issued()).toBe(5);
  });
});
