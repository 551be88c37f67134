import { resolve } from 'node:path';
import { ConfigError } from '../config/load';
import { AuditLog } from './audit-log';
import { GroupCommitStore } from './group-commit';
import { PostgresAuditStore } from './postgres-store';
import { SqliteAuditStore } from './sqlite-store';
import type { AuditStore } from './store';

/**
 * Opens the store an audit URL names, creating its schema if needed, with group commit:
 * `sqlite:<file>` (embedded; relative to the working directory; `sqlite::memory:` for a throwaway
 * store) or `postgres://user@host:port/db`.
 */
export async function openAuditStore(url: string): Promise<AuditStore> {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    return new GroupCommitStore(new SqliteAuditStore(file === ':memory:' ? file : resolve(file)));
  }
  if (/^postgres(ql)?:\/\//.test(url)) return new GroupCommitStore(await PostgresAuditStore.open(url));
  throw new ConfigError(`AIRLOCK_AUDIT_URL: expected sqlite:<file> or postgres://…, got ${redactUrl(url)}`);
}

export async function openAuditLog(url: string): Promise<AuditLog> {
  return new AuditLog(await openAuditStore(url));
}

/** The URL without its password, for messages: in the userinfo (even with no user) or as `?password=`, which pg also reads. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}
