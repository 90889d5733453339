import { Client } from 'pg';
import { createEmptyDatabase } from './databases';

test('the test run has a real PostgreSQL', async () => {
  const client = new Client({ connectionString: await createEmptyDatabase() });
  await client.connect();
  const { rows } = await client.query<{ v: string }>('select version() as v');
  await client.end();
  expect(rows[0].v).toMatch(/^PostgreSQL \d+/);
});
