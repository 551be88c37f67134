import { startMotoServer } from '../../scripts/lib/moto-server';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server';
import { seedAws } from './seed-aws';
import { TEST_BUCKETS, TEST_ROLE_NAME } from './test-aws';

/**
 * Starts one real Temporal dev server (in memory, headless) and one moto server for the whole
 * integration run, each on a free port. Test files read the addresses from the environment.
 */
export default async function globalSetup(): Promise<void> {
  const [temporal, moto] = await Promise.all([startTemporalDevServer({ headless: true }), startMotoServer()]);
  const { roleArn } = await seedAws(moto.endpoint, { roleName: TEST_ROLE_NAME, buckets: [...TEST_BUCKETS], objects: [] });
  Object.assign(globalThis, { __airlockTemporal: temporal, __airlockMoto: moto });
  process.env.AIRLOCK_TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.AIRLOCK_TEST_MOTO_ENDPOINT = moto.endpoint;
  process.env.AIRLOCK_TEST_ROLE_ARN = roleArn;
}
