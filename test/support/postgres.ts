import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Creates a fresh, uniquely named database on the integration run's PostgreSQL server
 * (AIRLOCK_TEST_POSTGRES_URL, an admin URL) and returns its URL. Use one per store.
 */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = process.env.AIRLOCK_TEST_POSTGRES_URL;
  if (!adminUrl) {
    throw new Error(
      'AIRLOCK_TEST_POSTGRES_URL is unset: run through the integration project (its global setup starts PostgreSQL), ' +
        "or set it to an existing server's admin URL",
    );
  }
  // A recognisable prefix: on a shared server these are easy to find and drop.
  const name = `airlock_test_${randomBytes(8).toString('hex')}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
