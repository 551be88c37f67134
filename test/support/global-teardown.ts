import { rmSync } from 'node:fs';

interface Stoppable {
  stop(): Promise<void>;
}

export default async function globalTeardown(): Promise<void> {
  const scope = globalThis as unknown as Record<string, Stoppable | undefined>;
  // The PostgreSQL stopper also deletes the cluster's temp dir.
  await Promise.all([scope.__airlockTemporal?.stop(), scope.__airlockMoto?.stop(), scope.__airlockPostgres?.stop()]);
  const bundles = process.env.AIRLOCK_TEST_BUNDLE_DIR;
  if (bundles) rmSync(bundles, { recursive: true, force: true });
}
