import { Client } from 'pg';
import { createTestDatabase } from '../support/postgres';

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describe('the integration run’s PostgreSQL server', () => {
  it('is a real PostgreSQL', async () => {
    const url = await createTestDatabase();
    const { rows } = await withClient(url, (client) => client.query<{ version: string }>('select version()'));
    expect(rows[0]?.version).toContain('PostgreSQL');
  });

  it('gives each test database its own data', async () => {
    const [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    expect(first).not.toBe(second);
    await withClient(first, async (client) => {
      await client.query('create table notes (body text not null)');
      await client.query('insert into notes (body) values ($1)', ['only in the first']);
    });

    const inFirst = await withClient(first, (client) => client.query<{ body: string }>('select body from notes'));
    expect(inFirst.rows).toEqual([{ body: 'only in the first' }]);
    const inSecond = await withClient(second, (client) => client.query<{ present: boolean }>(`select to_regclass('public.notes') is not null as present`));
    expect(inSecond.rows).toEqual([{ present: false }]);
  });
});
