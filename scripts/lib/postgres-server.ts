import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client, DatabaseError } from 'pg';
import { ManagedProcess } from './managed-process';
import { freePort } from '../../net/free-port';
import { postgresBinDir } from './tools';

export interface PostgresServerOptions {
  /** The cluster's directory; initdb runs when it holds no cluster (no PG_VERSION) yet. */
  dataDir: string;
  port?: number | undefined;
  /** Throwaway cluster (tests): no fsync, so a crash can corrupt it. Never for data you keep. */
  fast?: boolean | undefined;
  onLine?: ((line: string) => void) | undefined;
  ownProcessGroup?: boolean | undefined;
}

export interface PostgresServer {
  /** The `postgres` database, as the superuser `airlock`. */
  adminUrl: string;
  port: number;
  process: ManagedProcess;
  urlFor(database: string): string;
  /** Creates the database, owned by `airlock`, unless it exists; returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** An OS user to run PostgreSQL as. */
interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

const SUPERUSER = 'airlock';
const DATABASE_NAME = /^[a-z_][a-z0-9_]*$/;
const MAX_NAME_LENGTH = 63; // PostgreSQL silently truncates longer names
const READY_TIMEOUT_MS = 30_000;

/**
 * Starts a private PostgreSQL cluster on 127.0.0.1 (initdb first if needed) and waits until it
 * accepts connections. As root it runs as the `postgres` OS user: PostgreSQL refuses root.
 */
export async function startPostgresServer(options: PostgresServerOptions): Promise<PostgresServer> {
  const binDir = postgresBinDir();
  const dataDir = resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const user = serverUser();
  // Our own socket dir: the default /var/run/postgresql belongs to the system cluster.
  const socketDir = mkdtempSync(join(tmpdir(), 'airlock-pg-'));
  const urlFor = (database: string): string => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  const adminUrl = urlFor('postgres');
  let proc: ManagedProcess | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    if (user) {
      for (const dir of [dataDir, socketDir]) giveTo(user, dir);
    }
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initdb(binDir, dataDir, options, user);
    const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', socketDir];
    if (options.fast) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    proc = ManagedProcess.start('postgres', join(binDir, 'postgres'), args, {
      cwd: dataDir,
      onLine: options.onLine,
      ownProcessGroup: options.ownProcessGroup,
      user,
    });
    await waitUntilReady(proc, adminUrl);
  } catch (err) {
    await proc?.stop(10_000, 'SIGINT');
    rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }
  const server = proc;
  return {
    adminUrl,
    port,
    process: server,
    urlFor,
    createDatabase: async (name) => {
      await createDatabase(adminUrl, name);
      return urlFor(name);
    },
    stop: async () => {
      // SIGINT is PostgreSQL's fast shutdown: it ends sessions instead of waiting for them (SIGTERM).
      await server.stop(10_000, 'SIGINT');
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/** The `postgres` OS user when we are root (Debian's package creates it), else nobody: run as ourselves. */
function serverUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' });
  const [name, , uid, gid] = entry.status === 0 ? entry.stdout.trim().split(':') : [];
  if (!name || !uid || !gid) {
    throw new Error(
      'PostgreSQL refuses to run as root, and there is no `postgres` OS user to run it as: ' +
        "install Debian's postgresql package (`bash scripts/install-postgres.sh`) or run as another user",
    );
  }
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** Hands dir to the server's user and checks that user can reach it through every parent. */
function giveTo(user: OsUser, dir: string): void {
  if (statSync(dir).uid !== user.uid) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
  const parents: string[] = [];
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    parents.unshift(parent);
    if (dirname(parent) === parent) break;
  }
  for (const parent of parents) {
    if (spawnSync('test', ['-x', parent], { uid: user.uid, gid: user.gid }).status !== 0) {
      throw new Error(
        `PostgreSQL runs as the OS user ${user.name} (we are root), which cannot enter ${parent} on the way to ${dir}: ` +
          `allow it (chmod o+x ${parent}), use a directory it can reach, or set AIRLOCK_AUDIT_URL to an existing PostgreSQL database`,
      );
    }
  }
}

async function initdb(binDir: string, dataDir: string, options: PostgresServerOptions, user: OsUser | undefined): Promise<void> {
  // trust on loopback is enough for a private dev/test cluster that listens on 127.0.0.1 only.
  const args = ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--no-locale'];
  if (options.fast) args.push('--no-sync');
  const proc = ManagedProcess.start('initdb', join(binDir, 'initdb'), args, { cwd: dataDir, onLine: options.onLine, user });
  const code = await proc.exit;
  if (code !== 0) throw new Error(`initdb ${dataDir} failed (exit ${code}):\n${proc.tail()}`);
}

/** PostgreSQL listens before it accepts sessions ("the database system is starting up"): poll with a real one. */
async function waitUntilReady(proc: ManagedProcess, adminUrl: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`postgres exited during start:\n${proc.tail()}`);
    const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
    client.on('error', (err) => {
      lastError = err.message;
    });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`PostgreSQL did not accept connections at ${adminUrl} within ${READY_TIMEOUT_MS / 1000} s (${lastError}):\n${proc.tail()}`);
}

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  if (!DATABASE_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new Error(`invalid database name ${JSON.stringify(name)}: lower-case letters, digits and _, at most ${MAX_NAME_LENGTH}`);
  }
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('select 1 from pg_database where datname = $1', [name]);
    // The name is checked above: safe to put in the statement, which takes no parameters.
    if (existing.rowCount === 0) await client.query(`create database ${name} owner ${SUPERUSER}`);
  } catch (err) {
    // duplicate_database: someone created it since our check, which is what we wanted.
    if (!(err instanceof DatabaseError && err.code === '42P04')) throw err;
  } finally {
    await client.end();
  }
}
