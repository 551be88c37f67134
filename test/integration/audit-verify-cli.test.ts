import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openAuditLog } from '../../audit/open-store';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { AuditEventKind, POLICY_ACTOR, SYSTEM_ACTOR, type AuditEventInput } from '../../workflows/audit-events';

const CLI_ENTRY = join(PROJECT_ROOT, 'dist', 'scripts', 'audit-verify.js');
const ACTION = 'action-s3.copyObject-q3-report';

/** The story of one approved copy, as the workflow records it. */
function approvedCopy(): AuditEventInput[] {
  const at = (second: number): string => new Date(Date.UTC(2026, 10, 22, 10, 0, second)).toISOString();
  const event = (n: number, kind: AuditEventInput['kind'], actor: string, data: AuditEventInput['data']): AuditEventInput => ({
    eventId: `${ACTION}/run-1/${n}`,
    kind,
    actionId: ACTION,
    actor,
    occurredAt: at(n),
    data,
  });
  const params = { sourceBucket: 'airlock-source', sourceKey: 'reports/2026-q3.csv', destinationBucket: 'airlock-exports', destinationKey: 'finance/2026-q3.csv' };
  return [
    event(1, AuditEventKind.RequestReceived, 'etl-bot', { action: 's3.copyObject', params, justification: 'Board pack', source: 'api', requestedAt: at(1) }),
    event(2, AuditEventKind.PolicyDecided, POLICY_ACTOR, { effect: 'review', ruleId: 'review-exports', reason: 'exports need a reviewer', risk: 'medium' }),
    event(3, AuditEventKind.VoteRecorded, 'alice', { verdict: 'approve', channel: 'api', comment: 'fine', approvals: 1, quorum: 1 }),
    event(4, AuditEventKind.ActionApproved, SYSTEM_ACTOR, { by: 'quorum', approvers: ['alice'] }),
    event(5, AuditEventKind.ExecutionStarted, SYSTEM_ACTOR, { approvers: ['alice'], idempotent: true }),
    event(6, AuditEventKind.OperationSucceeded, SYSTEM_ACTOR, { summary: 'copy s3://airlock-source/reports/2026-q3.csv', outputs: { etag: '"abc"' } }),
  ];
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

describe('npm run audit:verify (dist/scripts/audit-verify.js)', () => {
  let dir: string;
  let url: string;
  let file: string;

  beforeAll(async () => {
    if (!existsSync(CLI_ENTRY)) throw new Error(`${CLI_ENTRY} is missing: npm test builds it (npm run build)`);
    dir = mkdtempSync(join(tmpdir(), 'airlock-audit-verify-'));
    file = join(dir, 'audit.db');
    url = `sqlite:${file}`;
    const audit = await openAuditLog(url);
    try {
      expect(await audit.append(approvedCopy())).toBe(6);
    } finally {
      await audit.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports an intact chain with its head and exits 0', async () => {
    const run = await runCli(['--url', url]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/audit chain:\s+OK/);
    expect(run.stdout).toContain(`sqlite ${url}`);
    expect(run.stdout).toMatch(/checked:\s+6 events/);
    expect(run.stdout).toMatch(/head:\s+seq 6, hash [0-9a-f]{64}/);
  });

  it('names the first altered event and exits 1, in text and in JSON', async () => {
    const db = new Database(file);
    try {
      db.exec('DROP TRIGGER audit_events_no_update'); // as the file's owner could
      db.prepare('UPDATE audit_events SET data = ? WHERE seq = 3').run('{"approvals":1,"quorum":1,"verdict":"reject"}');
    } finally {
      db.close();
    }

    const text = await runCli(['--url', url]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/audit chain:\s+BROKEN/);
    expect(text.stdout).toMatch(/last good:\s+seq 2, hash [0-9a-f]{64}/);
    expect(text.stdout).toMatch(/first break:\s+seq 3, hash_mismatch: event 3 was altered/);

    const json = await runCli(['--url', url, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      store: 'sqlite',
      url,
      ok: false,
      checked: 2,
      head: { seq: 2 },
      firstBreak: { seq: 3, reason: 'hash_mismatch' },
    });
  });

  it('exits 2 with a one-line reason, no stack, when it cannot check', async () => {
    for (const args of [['--url', 'nope:x'], ['--url', `sqlite:${join(dir, 'missing.db')}`], ['--bogus']]) {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^audit-verify: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(dir, 'missing.db'))).toBe(false); // a typo must not create an empty, "intact" trail
  });
});
