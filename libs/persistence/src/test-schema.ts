import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { LOCAL_POSTGRES_URL } from './database-url';

/** The database integration tests use: TEST_DATABASE_URL, DATABASE_URL, or the local server. */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? LOCAL_POSTGRES_URL;
}

/** A unique schema name for one test file, and a function that drops it afterwards. */
export function createTestSchema(prefix: string): { schema: string; drop: () => Promise<void> } {
  const schema = `test_${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
  return {
    schema,
    drop: async () => {
      const client = new Client({ connectionString: testDatabaseUrl() });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
