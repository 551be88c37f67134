import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../../audit/audit-log';
import { SqliteAuditStore } from '../../../audit/sqlite-store';
import { AuditEventKind } from '../../../domain/audit-events';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** The embedded trail holds every requester, approver and params: nobody but its owner may read it. */
describe('the embedded audit store on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-audit-modes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function writeOne(file: string): Promise<void> {
    const audit = new AuditLog(new SqliteAuditStore(file));
    try {
      await audit.append([{ eventId: 'a/1', kind: AuditEventKind.VoteRefused, actionId: 'a', actor: 'bob', occurredAt: new Date().toISOString(), data: {} }]);
      // The write-ahead log and shared memory exist while the store is open: check them now.
      const files = readdirSync(join(file, '..')).filter((name) => name.startsWith('audit.db'));
      expect(files.sort()).toEqual(['audit.db', 'audit.db-shm', 'audit.db-wal']);
      for (const name of files) expect([name, modeOf(join(file, '..', name))]).toEqual([name, 0o600]);
    } finally {
      await audit.close();
    }
  }

  it('creates its folders 0700 and its file (with -wal and -shm) 0600', async () => {
    const file = join(dir, 'state', 'nested', 'audit.db');
    await writeOne(file);
    expect(modeOf(join(dir, 'state'))).toBe(0o700);
    expect(modeOf(join(dir, 'state', 'nested'))).toBe(0o700);
  });

  it('leaves a folder it did not create as it was, and opens an existing file unchanged', async () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    await writeOne(join(shared, 'audit.db'));
    expect(modeOf(shared)).toBe(0o755);

    const operatorFile = join(dir, 'operator', 'audit.db');
    mkdirSync(join(dir, 'operator'));
    writeFileSync(operatorFile, '', { mode: 0o640 });
    const audit = new AuditLog(new SqliteAuditStore(operatorFile));
    await audit.close();
    expect(modeOf(operatorFile)).toBe(0o640);
  });
});
