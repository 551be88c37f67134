import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgresServer, type PostgresServer } from '../../scripts/lib/postgres-server';

/** Either what `use` returned, or why PostgreSQL could not be started here. */
export type WithPostgres<T> = { result: T } | { skipped: string };

/**
 * Runs `use` on a fresh database of a private, throwaway PostgreSQL (no fsync), then stops it and
 * deletes its files. When PostgreSQL is not installed or cannot start here, reports why instead.
 */
export async function withBenchPostgres<T>(use: (url: string) => Promise<T>): Promise<WithPostgres<T>> {
  // Its own temp dir, straight under the OS one: as root the server runs as `postgres`, which must reach it.
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-bench-pg-'));
  try {
    let server: PostgresServer;
    try {
      server = await startPostgresServer({ dataDir, fast: true });
    } catch (err) {
      return { skipped: (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error' };
    }
    try {
      return { result: await use(await server.createDatabase('airlock_bench')) };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
