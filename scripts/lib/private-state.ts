import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The owner's alone: Airlock's local state holds workflow histories, the audit trail, API keys and payload keys. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes `dir` a private state folder: created (or tightened) to `mode`, and every regular file
 * directly in it made 0600, since a folder from an older version holds world-readable files.
 * Subfolders and symlinks are left alone: they belong to their own servers (PostgreSQL keeps its
 * data folder 0700 itself) or point outside.
 */
export function privateStateDir(dir: string, mode = PRIVATE_DIR_MODE): void {
  mkdirSync(dir, { recursive: true, mode });
  chmodSync(dir, mode);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (lstatSync(path).isFile()) chmodSync(path, PRIVATE_FILE_MODE);
  }
}

/** Each of these files that exists becomes 0600. */
export function makeFilesPrivate(files: readonly string[]): void {
  for (const file of files) {
    if (existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
  }
}

/** A SQLite database and the files SQLite keeps beside it (write-ahead log, shared memory, rollback journal). */
export function sqliteFiles(dbFile: string): string[] {
  return [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`];
}
