import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openAuditLog } from '../../audit/open-store';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { AuditEventKind, POLICY_ACTOR, SYSTEM_ACTOR, type AuditEventInput } from '../../domain/audit-events';
import { IdentitySigner } from '../../api/identity-signer';
import { newIdentityKeyPair } from '../../config/identity-keys';
import { TEST_IDENTITY_ENTRIES, TEST_SIGNING_KEY } from '../support/identity-keys';

const CLI_ENTRY = join(PROJECT_ROOT, 'dist', 'scripts', 'audit-verify.js');
const ACTION = 'action-s3.copyObject-q3-report';

/** The story of one approved copy, as the workflow records it, with the API's identity proofs. */
function approvedCopy(options: { voter?: string; unsignedVote?: boolean } = {}): AuditEventInput[] {
  const at = (second: number): string => new Date(Date.UTC(2026, 10, 22, 10, 0, second)).toISOString();
  const event = (n: number, kind: AuditEventInput['kind'], actor: string, data: AuditEventInput['data']): AuditEventInput => ({
    eventId: `${ACTION}/run-1/${n}`,
    kind,
    actionId: ACTION,
    actor,
    occurredAt: at(n),
    data,
  });
  const params = {
    sourceBucket: 'airlock-source',
    sourceKey: 'reports/2026-q3.csv',
    destinationBucket: 'airlock-exports',
    destinationKey: 'finance/2026-q3.csv',
  };
  const request = {
    actionId: ACTION,
    action: 's3.copyObject',
    params,
    justification: 'Board pack',
    requester: { id: 'etl-bot', source: 'api' },
    requestedAt: at(1),
  };
  const vote = { reviewer: 'alice', verdict: 'approve' as const, channel: 'api', comment: 'fine' };
  const signer = new IdentitySigner(TEST_SIGNING_KEY, () => new Date(at(3)));
  const voteProof = signer.signDecision(ACTION, 'api:alice:1', vote);
  return [
    event(1, AuditEventKind.RequestReceived, 'etl-bot', {
      action: 's3.copyObject',
      params,
      justification: 'Board pack',
      source: 'api',
      requestedAt: at(1),
      proof: { ...signer.signStart(request) },
    }),
    event(2, AuditEventKind.PolicyDecided, POLICY_ACTOR, { effect: 'review', ruleId: 'review-exports', reason: 'exports need a reviewer', risk: 'medium' }),
    // `voter` other than alice: a row rewritten, and the whole chain re-sealed, by someone who owns the database.
    event(3, AuditEventKind.VoteRecorded, options.voter ?? 'alice', {
      verdict: 'approve',
      channel: 'api',
      comment: 'fine',
      approvals: 1,
      quorum: 1,
      updateId: 'api:alice:1',
      ...(options.unsignedVote ? {} : { proof: { ...voteProof } }),
    }),
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

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolveRun, reject) => {
    // Never the caller's own identity settings: each test says which keys the CLI gets.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AIRLOCK_IDENTITY_')));
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, ...env }, cwd: tmpdir() });
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

  let keysFile: string;

  /** A store holding `events`, sealed onto a chain as AuditLog does: whole, whatever the events say. */
  async function storeOf(name: string, events: AuditEventInput[]): Promise<string> {
    const storeUrl = `sqlite:${join(dir, `${name}.db`)}`;
    const audit = await openAuditLog(storeUrl);
    try {
      expect(await audit.append(events)).toBe(events.length);
    } finally {
      await audit.close();
    }
    return storeUrl;
  }

  beforeAll(async () => {
    if (!existsSync(CLI_ENTRY)) throw new Error(`${CLI_ENTRY} is missing: npm test builds it (npm run build)`);
    dir = mkdtempSync(join(tmpdir(), 'airlock-audit-verify-'));
    file = join(dir, 'audit.db');
    url = await storeOf('audit', approvedCopy());
    keysFile = join(dir, 'verify.keys');
    writeFileSync(keysFile, `${TEST_IDENTITY_ENTRIES.verify}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports an intact chain with its head and every proof verified, and exits 0', async () => {
    const run = await runCli(['--url', url, '--keys', keysFile]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/audit chain:\s+OK/);
    expect(run.stdout).toContain(`sqlite ${url}`);
    expect(run.stdout).toMatch(/checked:\s+6 events/);
    expect(run.stdout).toMatch(/head:\s+seq 6, hash [0-9a-f]{64}/);
    expect(run.stdout).toMatch(/signatures:\s+OK: 2 of 2 requests, votes and cancels verified/);
    // The same keys from the workers' setting.
    const fromEnv = await runCli(['--url', url, '--json'], { AIRLOCK_IDENTITY_VERIFY_KEYS: TEST_IDENTITY_ENTRIES.verify });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ ok: true, signatures: { ok: true, checked: 2, verified: 2, failed: 0 } });
  });

  it('fails a vote whose signature does not verify, though the re-sealed chain is whole, and exits 1', async () => {
    const rewritten = await storeOf('rewritten', approvedCopy({ voter: 'mallory' }));
    const run = await runCli(['--url', rewritten, '--keys', keysFile]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/audit chain:\s+OK/);
    expect(run.stdout).toMatch(/signatures:\s+FAILED: 1 of 2 requests, votes and cancels verified, 1 failed/);
    expect(run.stdout).toMatch(/failed:\s+seq 3, vote.recorded by mallory, bad_signature/);
    const json = JSON.parse((await runCli(['--url', rewritten, '--keys', keysFile, '--json'])).stdout);
    expect(json).toMatchObject({
      ok: false,
      signatures: { ok: false, failed: 1, failures: [{ seq: 3, kind: 'vote.recorded', actor: 'mallory', code: 'bad_signature' }] },
    });
    // With another key, the genuine trail fails too: the check is against the keys, not the data.
    const otherKeys = join(dir, 'other.keys');
    writeFileSync(otherKeys, `${newIdentityKeyPair('test-key').verify}\n`);
    expect((await runCli(['--url', url, '--keys', otherKeys])).code).toBe(1);
  });

  it('fails a vote with no proof, unless it was recorded before signing existed', async () => {
    const legacy = await storeOf('legacy', approvedCopy({ unsignedVote: true }));
    const strict = await runCli(['--url', legacy, '--keys', keysFile, '--json']);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({ signatures: { failed: 1, failures: [{ seq: 3, code: 'unsigned' }] } });
    const tolerant = await runCli(['--url', legacy, '--keys', keysFile, '--allow-unsigned-before', '4', '--json']);
    expect(tolerant.code).toBe(0);
    expect(JSON.parse(tolerant.stdout)).toMatchObject({ ok: true, signatures: { verified: 1, legacyUnsigned: 1, failed: 0 } });
  });

  it('says it cannot check proofs without keys, and checks the chain alone when asked', async () => {
    const run = await runCli(['--url', url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^audit-verify: no public identity keys/);
    const chainOnly = await runCli(['--url', url, '--chain-only']);
    expect(chainOnly.code).toBe(0);
    expect(chainOnly.stdout).toMatch(/signatures:\s+not checked \(--chain-only\)/);
  });

  it('names the first altered event and exits 1, in text and in JSON', async () => {
    const db = new Database(file);
    try {
      db.exec('DROP TRIGGER audit_events_no_update'); // as the file's owner could
      db.prepare('UPDATE audit_events SET data = ? WHERE seq = 3').run('{"approvals":1,"quorum":1,"verdict":"reject"}');
    } finally {
      db.close();
    }

    const text = await runCli(['--url', url, '--keys', keysFile]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/audit chain:\s+BROKEN/);
    expect(text.stdout).toMatch(/last good:\s+seq 2, hash [0-9a-f]{64}/);
    expect(text.stdout).toMatch(/first break:\s+seq 3, hash_mismatch: event 3 was altered/);

    const json = await runCli(['--url', url, '--keys', keysFile, '--json']);
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
