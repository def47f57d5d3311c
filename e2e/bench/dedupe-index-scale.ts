/**
 * How the dedupe index's batched "which ids are new?" query behaves at tens of millions of chunks:
 * fills a throw-away copy of the dedupe-index table (same columns and primary key as the
 * service's migration) with N ids, then times batches of 1,000 lookups (half known, half new),
 * the shape ingest sends. Figures, not a test.  ROWS (default 20,000,000), BATCHES (default 200).
 *   node -r @swc-node/register e2e/bench/dedupe-index-scale.ts
 */
import { testDatabaseUrl } from '@arca/persistence';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

async function main() {
  const rows = Number(process.env.ROWS ?? 20_000_000);
  const batches = Number(process.env.BATCHES ?? 200);
  const schema = `bench_dedupe_${randomBytes(3).toString('hex')}`;
  const db = new Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  try {
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.chunk_locations (id bytea PRIMARY KEY, pack_key text NOT NULL, "offset" bigint NOT NULL, length integer NOT NULL, raw_length integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    // Ids are sha256-like: 32 bytes from two md5s of the row number; uniformly spread like HMAC output.
    const idOf = (i: string) => `decode(md5(${i}::text) || md5((${i})::text || 'x'), 'hex')`;
    let t = performance.now();
    for (let start = 1; start <= rows; start += 2_000_000) {
      const end = Math.min(rows, start + 2_000_000 - 1);
      await db.query(`INSERT INTO ${schema}.chunk_locations (id, pack_key, "offset", length, raw_length)
        SELECT ${idOf('g')}, 'data/00/' || (g / 16), (g % 16) * 1048576, 1048576, 1048576 FROM generate_series(${start}, ${end}) g`);
      process.stderr.write(`[dedupe-index-scale] ${end.toLocaleString()} rows\n`);
    }
    await db.query(`ANALYZE ${schema}.chunk_locations`);
    const fill = (performance.now() - t) / 1000;
    const size = (await db.query(`SELECT pg_total_relation_size('${schema}.chunk_locations') AS b, pg_relation_size('${schema}.chunk_locations_pkey') AS i`)).rows[0];

    const timings: number[] = [];
    for (let b = 0; b < batches; b++) {
      const known = await db.query(`SELECT ${idOf('g')} AS id FROM (SELECT (random() * ${rows - 1} + 1)::bigint AS g FROM generate_series(1, 500)) s`);
      const ids = [...known.rows.map((r: { id: Buffer }) => r.id), ...Array.from({ length: 500 }, () => randomBytes(32))];
      t = performance.now();
      const found = await db.query(`SELECT id FROM ${schema}.chunk_locations WHERE id = ANY($1::bytea[])`, [ids]);
      timings.push(performance.now() - t);
      const distinctKnown = new Set(known.rows.map((r: { id: Buffer }) => r.id.toString('hex'))).size; // random draws may repeat
      if (found.rowCount !== distinctKnown) throw new Error(`expected ${distinctKnown} known ids, found ${found.rowCount}`);
    }
    timings.sort((a, b) => a - b);
    const result = {
      rows, fillSeconds: Math.round(fill), tableBytes: Number(size.b), primaryKeyBytes: Number(size.i),
      batch: 1000, p50Ms: +timings[Math.floor(batches * 0.5)].toFixed(2), p95Ms: +timings[Math.floor(batches * 0.95)].toFixed(2),
      lookupsPerSecond: Math.round(1000 / (timings.reduce((a, b) => a + b, 0) / batches / 1000)),
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
