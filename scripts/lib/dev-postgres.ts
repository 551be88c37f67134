import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort, isPortFree } from '../../net/free-port';
import { startPostgresServer, type PostgresServer } from './postgres-server';
import { PROJECT_ROOT } from './tools';

export interface DevPostgres {
  server: PostgresServer;
  /** The `airlock` database, for AIRLOCK_AUDIT_URL. */
  url: string;
}

/**
 * For `npm start --postgres`: installs PostgreSQL if needed, then runs the persistent cluster in
 * dataDir on `port` (a free one if taken) with an `airlock` database.
 */
export async function startDevPostgres(options: {
  dataDir: string;
  port: number;
  onLine?: ((line: string) => void) | undefined;
  ownProcessGroup?: boolean | undefined;
}): Promise<DevPostgres> {
  // Without the test URL, which would let the script succeed with no local server.
  const { AIRLOCK_TEST_POSTGRES_URL: _testUrl, ...env } = process.env;
  const install = spawnSync('bash', [join(PROJECT_ROOT, 'scripts', 'install-postgres.sh')], { stdio: 'inherit', env });
  if (install.status !== 0) {
    throw new Error('scripts/install-postgres.sh failed (see above); or set AIRLOCK_AUDIT_URL to an existing PostgreSQL database');
  }
  const port = (await isPortFree(options.port)) ? options.port : await freePort();
  // Not `fast`: this is data the user keeps.
  const server = await startPostgresServer({ dataDir: options.dataDir, port, onLine: options.onLine, ownProcessGroup: options.ownProcessGroup });
  try {
    return { server, url: await server.createDatabase('airlock') };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
