import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditLog } from '../audit/audit-log';
import { openAuditLog, redactUrl } from '../audit/open-store';
import { loadConfig } from '../config/load';
import { configSchema } from '../config/schema';
import { loadIdentityVerifyKeys, loadRetiredIdentityKeys } from '../config/identity-keys';
import type { TrustedKey } from '../domain/identity-proof';
import { verifyReportJson, verifyReportText, type StoreLabel } from './lib/verify-report';

/** Where `npm start` keeps the dev key pair's public half. */
const DEV_VERIFY_KEYS = resolve('.airlock', 'identity-verify.keys');

/**
 * `npm run audit:verify [-- --url <url>] [--json]`: walks the whole hash chain of the audit trail,
 * checks the identity proof of every request, vote and cancel against the API's public keys, and
 * reports the head or the first broken link and every failed proof. Exit 0 intact, 1 broken, 2
 * could not check.
 */
const USAGE = `usage: audit-verify [--url sqlite:<file> | --url postgres://…] [--keys <file>] [--allow-unsigned-before <seq>] [--chain-only] [--json]
  --url                    the audit store (default: AIRLOCK_AUDIT_URL, or sqlite:.airlock/audit.db)
  --keys                   the API's public identity keys, one <id>:<base64> per line, retired ones too
                           (default: AIRLOCK_IDENTITY_VERIFY_KEYS(_FILE) and AIRLOCK_IDENTITY_RETIRED_KEYS(_FILE),
                           or .airlock/identity-verify.keys)
  --allow-unsigned-before  tolerate requests, votes and cancels without a proof before this seq
                           (recorded before signed identities existed)
  --chain-only             check the hash chain only, not the identity proofs
  --json                   print the report as JSON`;

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
  const signatureOptions = args['chain-only']
    ? {}
    : { identityKeys: trustedKeys(args.keys), allowUnsignedBeforeSeq: unsignedCutoff(args['allow-unsigned-before']) };
  let audit: AuditLog;
  try {
    audit = await openAuditLog(url);
  } catch (err) {
    throw new CannotVerify(`cannot open the audit store ${label.url}: ${describe(err)}`);
  }
  try {
    const report = await audit.verify(signatureOptions);
    console.log(args.json ? verifyReportJson(report, label) : verifyReportText(report, label));
    return report.ok ? 0 : 1;
  } catch (err) {
    throw new CannotVerify(`reading ${label.url} failed: ${describe(err)}`);
  } finally {
    await audit.close();
  }
}

interface CommandLine {
  url?: string;
  keys?: string;
  'allow-unsigned-before'?: string;
  'chain-only'?: boolean;
  json?: boolean;
  help?: boolean;
}

function parseCommandLine(): CommandLine {
  try {
    return parseArgs({
      options: {
        url: { type: 'string' },
        keys: { type: 'string' },
        'allow-unsigned-before': { type: 'string' },
        'chain-only': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new CannotVerify(`${describe(err)}\n${USAGE}`);
  }
}

/** Every public key a proof on the trail may have been made with: current and retired. */
function trustedKeys(keysFile: string | undefined): TrustedKey[] {
  try {
    if (keysFile) return loadIdentityVerifyKeys({ AIRLOCK_IDENTITY_VERIFY_KEYS_FILE: keysFile });
    const env = process.env;
    const configured = env.AIRLOCK_IDENTITY_VERIFY_KEYS || env.AIRLOCK_IDENTITY_VERIFY_KEYS_FILE;
    if (!configured && !existsSync(DEV_VERIFY_KEYS)) {
      throw new CannotVerify(`no public identity keys to check proofs with: pass --keys, set AIRLOCK_IDENTITY_VERIFY_KEYS(_FILE), or --chain-only\n${USAGE}`);
    }
    const current = loadIdentityVerifyKeys(configured ? env : { AIRLOCK_IDENTITY_VERIFY_KEYS_FILE: DEV_VERIFY_KEYS });
    const retired = loadRetiredIdentityKeys(env).filter((key) => !current.some((known) => known.id === key.id));
    return [...current, ...retired];
  } catch (err) {
    if (err instanceof CannotVerify) throw err;
    throw new CannotVerify(describe(err));
  }
}

function unsignedCutoff(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw new CannotVerify(`--allow-unsigned-before takes an event seq (a positive integer), got ${JSON.stringify(value)}`);
  return Number(value);
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
