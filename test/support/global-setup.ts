import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMotoServer } from '../../scripts/lib/moto-server';
import { startPostgresServer } from '../../scripts/lib/postgres-server';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server';
import { newIdentityKeyPair } from '../../config/identity-keys';
import { seedAws } from './seed-aws';
import { TEST_BUCKETS, TEST_ROLE_NAME } from './test-aws';

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Starts one real Temporal dev server (in memory, headless), one moto server and one throwaway
 * PostgreSQL cluster for the whole integration run, each on a free port. Test files read the
 * addresses from the environment. An AIRLOCK_TEST_POSTGRES_URL already set is used instead.
 */
export default async function globalSetup(): Promise<void> {
  const results = await Promise.allSettled([startTemporalDevServer({ headless: true }), startMotoServer(), startTestPostgres()]);
  const started = results.flatMap((result) => (result.status === 'fulfilled' && result.value ? [result.value] : []));
  const [temporal, moto, postgres] = results;
  try {
    if (temporal.status === 'rejected') throw temporal.reason;
    if (moto.status === 'rejected') throw moto.reason;
    if (postgres.status === 'rejected') throw postgres.reason;
    const { roleArn } = await seedAws(moto.value.endpoint, { roleName: TEST_ROLE_NAME, buckets: [...TEST_BUCKETS], objects: [] });
    Object.assign(globalThis, { __airlockTemporal: temporal.value, __airlockMoto: moto.value, __airlockPostgres: postgres.value });
    process.env.AIRLOCK_TEST_TEMPORAL_ADDRESS = temporal.value.address;
    process.env.AIRLOCK_TEST_TEMPORAL_METRICS_URL = temporal.value.metricsUrl;
    process.env.AIRLOCK_TEST_MOTO_ENDPOINT = moto.value.endpoint;
    process.env.AIRLOCK_TEST_ROLE_ARN = roleArn;
    // One identity key pair and one workflow bundle per run, shared by every test file: bundling
    // (seconds each) is the slow part of starting a worker, and the bundle holds the public key.
    const identity = newIdentityKeyPair('test-key');
    process.env.AIRLOCK_TEST_IDENTITY_SIGNING_KEY = identity.signing;
    process.env.AIRLOCK_TEST_IDENTITY_VERIFY_KEYS = identity.verify;
    process.env.AIRLOCK_TEST_BUNDLE_DIR = mkdtempSync(join(tmpdir(), 'airlock-test-bundles-'));
    if (postgres.value) process.env.AIRLOCK_TEST_POSTGRES_URL = postgres.value.adminUrl;
  } catch (err) {
    // Jest runs no teardown when setup fails: stop what did start rather than leave it running.
    await Promise.allSettled(started.map((server) => server.stop()));
    throw err;
  }
}

/** A fast, throwaway cluster in a fresh temp dir that stop() deletes; none when the URL is given. */
async function startTestPostgres(): Promise<(Stoppable & { adminUrl: string }) | undefined> {
  if (process.env.AIRLOCK_TEST_POSTGRES_URL) return undefined;
  // Under the OS temp dir so that, as root, the postgres OS user can reach it.
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-pg-test-'));
  const removeDir = (): void => rmSync(dataDir, { recursive: true, force: true });
  try {
    const server = await startPostgresServer({ dataDir, fast: true });
    return {
      adminUrl: server.adminUrl,
      stop: async () => {
        await server.stop();
        removeDir();
      },
    };
  } catch (err) {
    removeDir();
    throw err;
  }
}
