import { HeadObjectCommand, ListObjectsV2Command, S3ServiceException } from '@aws-sdk/client-s3';
import type { S3Sender } from '../../../../operations/s3/client';
import {
  copyObjectParams,
  copyObjectPreviewMayList,
  findCopyApplied,
  previewCopyObject,
  s3CopyObject,
  type CopyObjectParams,
} from '../../../../operations/s3/copy-object';
import { formatBytes } from '../../../../operations/format';
import { timeBoundPolicy } from '../../../../operations/session-time';
import { MAX_SESSION_POLICY_CHARS, sessionPolicyText, type IamPolicyDocument } from '../../../../operations/types';

/** The policy as STS gets it: with the time bound on every statement. */
function boundText(policy: IamPolicyDocument): string {
  return sessionPolicyText(timeBoundPolicy(policy, new Date('2026-11-30T12:00:00Z')));
}

const good: CopyObjectParams = {
  sourceBucket: 'airlock-source',
  sourceKey: 'reports/2026-q3.csv',
  destinationBucket: 'airlock-exports',
  destinationKey: 'partner/2026-q3.csv',
};

describe('s3.copyObject preview policy', () => {
  test('is GetObject on exactly the two objects, and a listing of exactly each key', () => {
    expect(s3CopyObject.previewPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::airlock-source/reports/2026-q3.csv', 'arn:aws:s3:::airlock-exports/partner/2026-q3.csv'],
        },
        {
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: ['arn:aws:s3:::airlock-source'],
          Condition: { StringEquals: { 's3:prefix': 'reports/2026-q3.csv' }, NumericLessThanEquals: { 's3:max-keys': '1' } },
        },
        {
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: ['arn:aws:s3:::airlock-exports'],
          Condition: { StringEquals: { 's3:prefix': 'partner/2026-q3.csv' }, NumericLessThanEquals: { 's3:max-keys': '1' } },
        },
      ],
    });
    expect(copyObjectPreviewMayList(good, 'aws')).toBe(true);
  });

  test('reads and writes nothing else: no PutObject, no GetBucketLocation, no wildcard', () => {
    const policy = s3CopyObject.previewPolicy(good, 'aws-us-gov');
    const actions = policy.Statement.flatMap((statement) => statement.Action);
    expect([...new Set(actions)].sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe('Allow');
      for (const resource of statement.Resource) expect(resource).not.toMatch(/[*?]|\$\{/);
      // A listing is never unbounded.
      if (statement.Action.includes('s3:ListBucket')) expect(statement.Condition?.StringEquals?.['s3:prefix']).toEqual(expect.any(String));
    }
  });

  test('within one bucket it still names each key once in a listing condition', () => {
    const params = { ...good, destinationBucket: good.sourceBucket, destinationKey: 'copies/2026-q3.csv' };
    const listings = s3CopyObject.previewPolicy(params, 'aws').Statement.filter((statement) => statement.Action.includes('s3:ListBucket'));
    expect(listings.map((statement) => [statement.Resource, statement.Condition?.StringEquals?.['s3:prefix']])).toEqual([
      [['arn:aws:s3:::airlock-source'], 'reports/2026-q3.csv'],
      [['arn:aws:s3:::airlock-source'], 'copies/2026-q3.csv'],
    ]);
  });

  test('when the listings would not fit the STS limit, keeps only GetObject (missing then reads as unknown)', () => {
    // Accepted: the session policy names each key once and fits; the listings would name each twice.
    const params = copyObjectParams.parse({ ...good, sourceKey: 'a'.repeat(700), destinationKey: 'b'.repeat(700) });
    const policy = s3CopyObject.previewPolicy(params, 'aws');
    expect(policy.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`arn:aws:s3:::airlock-source/${'a'.repeat(700)}`, `arn:aws:s3:::airlock-exports/${'b'.repeat(700)}`],
      },
    ]);
    expect(copyObjectPreviewMayList(params, 'aws')).toBe(false);
    expect(boundText(policy).length).toBeLessThanOrEqual(MAX_SESSION_POLICY_CHARS);
  });

  test('fits the STS limit, time bound included, for every params the schema accepts (the longest keys)', () => {
    // The longest destination key the schema accepts next to a 1024-byte source key.
    let length = 1024;
    while (!copyObjectParams.safeParse({ ...good, sourceKey: 'a'.repeat(1024), destinationKey: 'b'.repeat(length) }).success) length -= 1;
    expect(length).toBeGreaterThan(500);
    const params = copyObjectParams.parse({ ...good, sourceKey: 'a'.repeat(1024), destinationKey: 'b'.repeat(length) });
    expect(boundText(s3CopyObject.previewPolicy(params, 'aws-us-gov')).length).toBeLessThanOrEqual(MAX_SESSION_POLICY_CHARS);
    expect(boundText(s3CopyObject.sessionPolicy(params, 'aws-us-gov')).length).toBeLessThanOrEqual(MAX_SESSION_POLICY_CHARS);
    expect(copyObjectPreviewMayList(params, 'aws-us-gov')).toBe(false);
  });

  test('refuses a partition that is not one', () => {
    expect(() => s3CopyObject.previewPolicy(good, 'aws:s3:::*')).toThrow(/invalid AWS partition/);
  });
});

function s3Error(status: number, name: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
}

type Answer =
  { head?: object; contents?: string[] } | S3ServiceException | { headError: S3ServiceException; contents?: string[]; listError?: S3ServiceException };

/** A fake S3: per key, a HeadObject answer (or error) and what a listing with that prefix returns. */
function fakeS3(byKey: Record<string, Answer>): { s3: S3Sender; sent: object[] } {
  const sent: object[] = [];
  const s3 = {
    send: async (command: HeadObjectCommand | ListObjectsV2Command) => {
      sent.push(command);
      const key = command instanceof HeadObjectCommand ? command.input.Key : command.input.Prefix;
      const answer = byKey[key ?? ''] ?? s3Error(404, 'NotFound');
      if (command instanceof HeadObjectCommand) {
        if (answer instanceof S3ServiceException) throw answer;
        if ('headError' in answer) throw answer.headError;
        return answer.head ?? {};
      }
      if (answer instanceof S3ServiceException) throw answer;
      if ('listError' in answer && answer.listError) throw answer.listError;
      return { Contents: (answer.contents ?? []).map((Key) => ({ Key })) };
    },
  } as unknown as S3Sender; // the preview only calls send()
  return { s3, sent };
}

const MODIFIED = new Date('2026-11-01T08:30:00Z');
const SOURCE_HEAD = { ContentLength: 2_100_000, ContentType: 'text/csv', LastModified: MODIFIED, ETag: '"abc"' };

describe('s3.copyObject preview', () => {
  test('an existing source and a new destination', async () => {
    const { s3, sent } = fakeS3({ [good.sourceKey]: { head: SOURCE_HEAD } });
    const preview = await previewCopyObject(good, s3, { mayList: true });
    expect(preview).toEqual({
      facts: {
        sourceExists: true,
        sourceBytes: 2_100_000,
        sourceContentType: 'text/csv',
        sourceLastModified: '2026-11-01T08:30:00.000Z',
        sourceETag: '"abc"',
        destinationExists: false,
      },
      notes: [
        'copies 2.1 MB (text/csv, modified 2026-11-01) to s3://airlock-exports/partner/2026-q3.csv, which does not exist yet',
        'the copy is bound to this content (ETag "abc"): if the source changes before it runs, the action fails',
      ],
      warnings: [],
      // What was reviewed is what runs: the execution copies this ETag or nothing.
      preconditions: { sourceETag: '"abc"' },
    });
    expect(sent.map((command) => (command as { input: unknown }).input)).toEqual([
      { Bucket: 'airlock-source', Key: 'reports/2026-q3.csv' },
      { Bucket: 'airlock-exports', Key: 'partner/2026-q3.csv' },
    ]);
  });

  test('an existing destination would be overwritten', async () => {
    const { s3 } = fakeS3({
      [good.sourceKey]: { head: SOURCE_HEAD },
      [good.destinationKey]: { head: { ContentLength: 1024, ContentType: 'text/csv', LastModified: new Date('2026-10-01T00:00:00Z'), ETag: '"old"' } },
    });
    const preview = await previewCopyObject(good, s3, { mayList: true });
    expect(preview.facts).toMatchObject({ destinationExists: true, destinationBytes: 1024, destinationLastModified: '2026-10-01T00:00:00.000Z' });
    expect(preview.notes).toEqual([
      'copies 2.1 MB (text/csv, modified 2026-11-01) to s3://airlock-exports/partner/2026-q3.csv, which exists and would be overwritten (1.0 kB (text/csv, modified 2026-10-01))',
      'the copy is bound to this content (ETag "abc"): if the source changes before it runs, the action fails',
    ]);
    expect(preview.warnings).toEqual(['s3://airlock-exports/partner/2026-q3.csv exists and would be overwritten (1.0 kB (text/csv, modified 2026-10-01))']);
  });

  test('says so when the destination already holds the same content', async () => {
    const { s3 } = fakeS3({ [good.sourceKey]: { head: SOURCE_HEAD }, [good.destinationKey]: { head: { ...SOURCE_HEAD } } });
    const preview = await previewCopyObject(good, s3, { mayList: true });
    expect(preview.notes[1]).toBe('s3://airlock-exports/partner/2026-q3.csv already has the same content as the source (same ETag)');
  });

  test('a missing source (404) is a fact and a warning, not a failure', async () => {
    const { s3 } = fakeS3({});
    const preview = await previewCopyObject(good, s3, { mayList: true });
    expect(preview).toEqual({
      facts: { sourceExists: false, destinationExists: false },
      notes: ['copies s3://airlock-source/reports/2026-q3.csv, which does not exist, to s3://airlock-exports/partner/2026-q3.csv, which does not exist yet'],
      warnings: ['source s3://airlock-source/reports/2026-q3.csv does not exist: the copy would fail'],
      // No content was read, so none can be approved: the execution refuses.
      preconditions: { sourceETag: null },
    });
  });

  test('a 403 on HEAD is resolved by the one-key listing: missing, or present but unreadable', async () => {
    const { s3, sent } = fakeS3({
      [good.sourceKey]: { headError: s3Error(403, 'Forbidden'), contents: [good.sourceKey] },
      // The listing finds only a longer key with the same prefix: the destination itself does not exist.
      [good.destinationKey]: { headError: s3Error(403, 'Forbidden'), contents: [`${good.destinationKey}.bak`] },
    });
    const preview = await previewCopyObject(good, s3, { mayList: true });
    expect(preview.facts).toEqual({ sourceExists: true, destinationExists: false });
    expect(preview.warnings).toEqual([
      'source s3://airlock-source/reports/2026-q3.csv exists but its metadata could not be read (HeadObject denied): the copy may fail',
      'the copy cannot run: no content of s3://airlock-source/reports/2026-q3.csv was read, so none can be approved',
    ]);
    expect(preview.preconditions).toEqual({ sourceETag: null });
    expect(preview.notes).toEqual([
      'copies s3://airlock-source/reports/2026-q3.csv, whose size and type could not be read, to s3://airlock-exports/partner/2026-q3.csv, which does not exist yet',
    ]);
    const listings = sent.filter((command) => command instanceof ListObjectsV2Command).map((command) => (command as ListObjectsV2Command).input);
    expect(listings).toEqual([
      { Bucket: 'airlock-source', Prefix: 'reports/2026-q3.csv', MaxKeys: 1 },
      { Bucket: 'airlock-exports', Prefix: 'partner/2026-q3.csv', MaxKeys: 1 },
    ]);
  });

  test('a 403 that cannot be resolved is null (unknown), with a warning', async () => {
    const { s3 } = fakeS3({
      [good.sourceKey]: { head: SOURCE_HEAD },
      [good.destinationKey]: { headError: s3Error(403, 'Forbidden'), listError: s3Error(403, 'AccessDenied') },
    });
    const preview = await previewCopyObject(good, s3, { mayList: true });
    expect(preview.facts.destinationExists).toBeNull();
    expect(preview.warnings).toEqual(['could not tell whether s3://airlock-exports/partner/2026-q3.csv exists: access denied']);
    expect(preview.notes[0]).toContain('which may or may not exist (access denied)');
  });

  test('without the listing (policy too long) a 403 is unknown and nothing is listed', async () => {
    const { s3, sent } = fakeS3({ [good.sourceKey]: s3Error(403, 'Forbidden'), [good.destinationKey]: s3Error(403, 'Forbidden') });
    const preview = await previewCopyObject(good, s3, { mayList: false });
    expect(preview.facts).toEqual({ sourceExists: null, destinationExists: null });
    expect(sent.every((command) => command instanceof HeadObjectCommand)).toBe(true);
  });

  test('a missing bucket in the listing counts as missing', async () => {
    const { s3 } = fakeS3({
      [good.destinationKey]: { headError: s3Error(403, 'Forbidden'), listError: s3Error(404, 'NoSuchBucket') },
      [good.sourceKey]: { head: SOURCE_HEAD },
    });
    expect((await previewCopyObject(good, s3, { mayList: true })).facts.destinationExists).toBe(false);
  });

  test('warns when the source is over the 5 GiB CopyObject limit', async () => {
    const { s3 } = fakeS3({ [good.sourceKey]: { head: { ...SOURCE_HEAD, ContentLength: 6 * 1024 ** 3 } } });
    const preview = await previewCopyObject(good, s3, { mayList: true });
    expect(preview.warnings).toEqual(['s3://airlock-source/reports/2026-q3.csv is 6.4 GB: CopyObject copies at most 5 GiB, so the copy would fail']);
  });

  test('other errors (throttling, 5xx) fail the preview so the activity can retry', async () => {
    const { s3 } = fakeS3({ [good.sourceKey]: s3Error(503, 'SlowDown') });
    await expect(previewCopyObject(good, s3, { mayList: true })).rejects.toMatchObject({ name: 'SlowDown' });
  });

  test.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [999, '999 bytes'],
    [1000, '1.0 kB'],
    [2_100_000, '2.1 MB'],
    [999_999, '1.0 MB'],
    [5 * 1024 ** 3, '5.4 GB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('s3.copyObject findApplied (a retry asking whether the copy is in place)', () => {
  const destinationUri = 's3://airlock-exports/partner/2026-q3.csv';

  test('the destination holds the previewed content (its ETag): the copy is in place; only the destination is read', async () => {
    const { s3, sent } = fakeS3({ [good.destinationKey]: { head: { ETag: '"abc"', VersionId: 'v7' } } });
    expect(await findCopyApplied(good, s3, { sourceETag: '"abc"' })).toEqual({
      summary: `copy s3://airlock-source/reports/2026-q3.csv to ${destinationUri}`,
      outputs: { destination: destinationUri, etag: '"abc"', versionId: 'v7' },
    });
    expect(sent.map((command) => (command as HeadObjectCommand).input)).toEqual([{ Bucket: 'airlock-exports', Key: 'partner/2026-q3.csv' }]);
  });

  test('in place even when the source changed since: the reviewed content was copied', async () => {
    const { s3 } = fakeS3({ [good.sourceKey]: { head: { ETag: '"newer"' } }, [good.destinationKey]: { head: { ETag: '"abc"' } } });
    expect(await findCopyApplied(good, s3, { sourceETag: '"abc"' })).toMatchObject({ outputs: { etag: '"abc"' } });
  });

  test('not in place: destination missing, other content (the current source included), no ETag, access denied, or nothing previewed', async () => {
    const cases: [Record<string, Answer>, string | null][] = [
      [{ [good.sourceKey]: { head: SOURCE_HEAD } }, '"abc"'],
      [{ [good.destinationKey]: { head: { ETag: '"other"' } } }, '"abc"'],
      [{ [good.sourceKey]: { head: { ETag: '"swapped"' } }, [good.destinationKey]: { head: { ETag: '"swapped"' } } }, '"abc"'],
      [{ [good.destinationKey]: { head: {} } }, '"abc"'],
      [{ [good.destinationKey]: s3Error(403, 'Forbidden') }, '"abc"'],
      [{ [good.destinationKey]: { head: { ETag: '"abc"' } } }, null],
    ];
    for (const [byKey, sourceETag] of cases) expect(await findCopyApplied(good, fakeS3(byKey).s3, { sourceETag })).toBeUndefined();
  });

  test('an S3 error other than 403 or 404 fails the check, so Temporal retries it', async () => {
    const { s3 } = fakeS3({ [good.destinationKey]: s3Error(503, 'SlowDown') });
    await expect(findCopyApplied(good, s3, { sourceETag: '"abc"' })).rejects.toThrow('SlowDown');
  });
});
