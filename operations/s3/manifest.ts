import { sha256 } from '../preconditions';
import { loadS3Sdk } from '../s3-sdk';
import type { S3Sender } from './client';

/** Objects listed per page. */
export const LIST_PAGE_SIZE = 100;

/** One object under a prefix, as ListObjectsV2 tells it: what an export copies and binds to. */
export interface ManifestEntry {
  key: string;
  /** As S3 lists it, quotes included; empty when S3 gave none. */
  etag: string;
  size: number;
}

/**
 * Every object under a prefix, page by page, in S3's key order. The client is asked for before
 * each page, so a long listing can run on renewed credentials (operations/credential-lease.ts).
 */
export async function* listObjects(client: () => Promise<S3Sender>, bucket: string, prefix: string): AsyncGenerator<ManifestEntry> {
  const { ListObjectsV2Command } = await loadS3Sdk();
  let continuationToken: string | undefined;
  do {
    const s3 = await client();
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: LIST_PAGE_SIZE,
        ...(continuationToken ? { ContinuationToken: continuationToken } : {}),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) yield { key: object.Key, etag: object.ETag ?? '', size: object.Size ?? 0 };
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
}

/** Count, bytes and digest of a manifest: what an export's preview binds its execution to. */
export interface ManifestSummary {
  objectCount: number;
  totalBytes: number;
  /** SHA-256 over one line per object (see `manifestDigest`). */
  manifestSha256: string;
}

/**
 * SHA-256 over one JSON line `["<key>","<etag>",<size>]` per object, sorted by key: the same set of
 * objects gives the same digest whatever order it was listed in, and any added, removed or
 * replaced object changes it. JSON keeps keys with newlines or quotes from colliding.
 */
export function manifestDigest(entries: readonly ManifestEntry[]): string {
  const lines = entries.map((entry) => JSON.stringify([entry.key, entry.etag, entry.size])).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(lines.map((line) => `${line}\n`).join(''));
}

export function summarizeManifest(entries: readonly ManifestEntry[]): ManifestSummary {
  return {
    objectCount: entries.length,
    totalBytes: entries.reduce((sum, entry) => sum + entry.size, 0),
    manifestSha256: manifestDigest(entries),
  };
}
