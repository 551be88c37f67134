import { AuditLog } from '../../audit/audit-log';
import { SqliteAuditStore } from '../../audit/sqlite-store';

/** A throwaway audit trail in memory, for tests that build activities directly. */
export function memoryAuditLog(): AuditLog {
  return new AuditLog(new SqliteAuditStore(':memory:'));
}
