import { testDatabaseUrl } from '@arca/persistence';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DumpRowCounter, loadAndCountDump, scratchDatabaseName, scratchServer } from './pg-verify';

describe('scratch database names and servers', () => {
  it('names the scratch database after the job', () => {
    expect(scratchDatabaseName('1A2b3c4d-0000-4000-8000-000000000000')).toBe('arca_verify_1a2b3c4d');
    expect(() => scratchDatabaseName('x; DROP DATABASE y')).toThrow(/is not a UUID/);
  });

  it("uses the source's server with its password, or ARCA_VERIFY_DATABASE_URL's", () => {
    expect(scratchServer('postgres://app@db:5432/shop', 's3cret', {})).toEqual({ url: 'postgres://app@db:5432/shop', password: 's3cret' });
    expect(scratchServer('postgres://app:inline@db/shop', undefined, {})).toEqual({ url: 'postgres://app@db/shop', password: 'inline' });
    expect(scratchServer('postgres://app@db/shop', 's3cret', { ARCA_VERIFY_DATABASE_URL: 'postgresql://verifier:pw@scratch:6432/postgres' }))
      .toEqual({ url: 'postgresql://verifier@scratch:6432/postgres', password: 'pw' });
    expect(() => scratchServer('postgres://app@db/shop', undefined, { ARCA_VERIFY_DATABASE_URL: 'mysql://x/y' })).toThrow(/ARCA_VERIFY_DATABASE_URL must be a postgres:\/\/ URL/);
  });
});

describe('DumpRowCounter', () => {
  it("counts each COPY block's rows and names the tables whose loaded count differs", () => {
    const counter = new DumpRowCounter();
    for (const line of [
      'SET statement_timeout = 0;', 'COPY public.accounts (id, owner) FROM stdin;', '1\ta', '2\tb', '\\.', '',
      'COPY public."Mixed Case" (id) FROM stdin;', '\\.', 'COPY public.accounts (id, owner) FROM stdin;', '3\tc', '\\.',
    ]) counter.line(line);
    expect([...counter.rows]).toEqual([['public.accounts', 3], ['public."Mixed Case"', 0]]);
    expect(counter.mismatches(new Map([['public.accounts', 3], ['public."Mixed Case"', 0]]))).toEqual([]);
    expect(counter.mismatches(new Map([['public.accounts', 2]]))).toEqual([
      'public.accounts: 3 row(s) in the dump, 2 loaded', 'public."Mixed Case": 0 row(s) in the dump, table missing once loaded',
    ]);
  });
});

describe('loadAndCountDump (the local PostgreSQL server)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arca-pg-verify-'));
  const server = scratchServer(testDatabaseUrl(), undefined, {});
  const scratchLeft = async (name: string) => {
    const c = new Client({ connectionString: server.url });
    await c.connect();
    try {
      return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
    } finally {
      await c.end();
    }
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a dump into a scratch database, counts its tables and rows, and drops it', async () => {
    const file = path.join(dir, 'ok.sql');
    writeFileSync(file, [
      'CREATE SCHEMA app;', 'CREATE TABLE app.items (id int PRIMARY KEY, name text);', 'CREATE TABLE public."Notes" (body text);',
      'COPY app.items (id, name) FROM stdin;', '1\tone', '2\ttwo', '3\tthree', '\\.', 'COPY public."Notes" (body) FROM stdin;', 'hello', '\\.', '',
    ].join('\n'));
    const name = scratchDatabaseName(randomUUID());
    const db = await loadAndCountDump(file, server, name);
    expect(db).toMatchObject({ scratchDatabase: name, tables: 2, rows: 4, expectedRows: 4, tableRows: [{ name: 'app.items', rows: 3 }, { name: 'public."Notes"', rows: 1 }] });
    expect(await scratchLeft(name)).toBe(0);
  });

  it('fails naming the scratch database and the error when the dump does not load, and still drops it', async () => {
    const file = path.join(dir, 'bad.sql');
    writeFileSync(file, `CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\nTHIS IS NOT SQL ${randomBytes(4).toString('hex')};\n`);
    const name = scratchDatabaseName(randomUUID());
    await expect(loadAndCountDump(file, server, name)).rejects.toThrow(new RegExp(`the dump did not load into scratch database ${name}: loading it failed: psql exited with 3: .*syntax error`));
    expect(await scratchLeft(name)).toBe(0);
  });

  it('fails a dump that loads no table', async () => {
    const file = path.join(dir, 'empty.sql');
    writeFileSync(file, 'SELECT 1;\n');
    const name = scratchDatabaseName(randomUUID());
    await expect(loadAndCountDump(file, server, name)).rejects.toThrow(`the dump did not load into scratch database ${name}: it holds no table once loaded`);
    expect(await scratchLeft(name)).toBe(0);
  });
});
