import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditLog } from '../audit/audit-log';
import { openAuditLog, redactUrl } from '../audit/open-store';
import { loadConfig } from '../config/load';
import { configSchema } from '../config/schema';
import { verifyReportJson, verifyReportText, type StoreLabel } from './lib/verify-report';

/**
 * `npm run audit:verify [-- --url <url>] [--json]`: walks the whole hash chain of the audit trail
 * and reports the head or the first broken link. Exit 0 intact, 1 broken, 2 could not check.
 */
const USAGE = `usage: audit-verify [--url sqlite:<file> | --url postgres://…] [--json]
  --url   the audit store (default: AIRLOCK_AUDIT_URL, or sqlite:.airlock/audit.db)
  --json  print the report as JSON`;

/** A problem that means the chain was not checked at all (exit 2), as opposed to a broken chain. */
class CannotVerify extends Error {
  override name = 'CannotVerify';
}

async function main(): Promise<number> {
  const args = parseCommandLine();
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const url = args.url ?? loadConfig().AIRLOCK_AUDIT_URL;
  const label = checkUrl(url);
  let audit: AuditLog;
  try {
    audit = await openAuditLog(url);
  } catch (err) {
    throw new CannotVerify(`cannot open the audit store ${label.url}: ${describe(err)}`);
  }
  try {
    const report = await audit.verify();
    console.log(args.json ? verifyReportJson(report, label) : verifyReportText(report, label));
    return report.ok ? 0 : 1;
  } catch (err) {
    throw new CannotVerify(`reading ${label.url} failed: ${describe(err)}`);
  } finally {
    await audit.close();
  }
}

function parseCommandLine(): { url?: string; json?: boolean; help?: boolean } {
  try {
    return parseArgs({
      options: { url: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new CannotVerify(`${describe(err)}\n${USAGE}`);
  }
}

/** The URL's shape, and for SQLite that the file exists: opening a missing one would create an empty, "intact" trail. */
function checkUrl(url: string): StoreLabel {
  if (!configSchema.shape.AIRLOCK_AUDIT_URL.safeParse(url).success) {
    throw new CannotVerify(`expected an audit URL sqlite:<file> or postgres://…, got ${redactUrl(url)}\n${USAGE}`);
  }
  if (!url.startsWith('sqlite:')) return { kind: 'postgres', url: redactUrl(url) };
  const file = url.slice('sqlite:'.length);
  if (file === ':memory:') return { kind: 'sqlite', url };
  const path = resolve(file);
  if (!existsSync(path)) throw new CannotVerify(`no audit store at ${path}`);
  return { kind: 'sqlite', url: `sqlite:${path}` };
}

/** The reason without a stack; pg reports a refused dual-stack connection as an AggregateError with no message. */
function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describe).join('; ');
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`audit-verify: ${describe(err)}`);
    process.exitCode = 2;
  },
);
