import type { RestoredDatabase } from '@arca/contracts';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Client } from 'pg';

/** The scratch database a PostgreSQL test restore loads its dump into: arca_verify_ and the job id's first 8 hex digits. */
export function scratchDatabaseName(jobId: string): string {
  const short = jobId.replace(/-/g, '').slice(0, 8).toLowerCase();
  if (!/^[0-9a-f]{8}$/.test(short)) throw new Error(`job id ${jobId} is not a UUID: cannot name a scratch database after it`);
  return `arca_verify_${short}`;
}

/** A connection URL split into the URL without its password and the password (which goes in PGPASSWORD, not on a command line). */
export interface ServerConnection {
  url: string;
  password?: string;
}

/**
 * Where the scratch database is made: the server `ARCA_VERIFY_DATABASE_URL` names (connecting to
 * the database its path names to create and drop the scratch one), else the server the source
 * names (connecting to the source database itself), with the source's password.
 */
export function scratchServer(sourceConnection: string, sourcePassword: string | undefined, env: NodeJS.ProcessEnv = process.env): ServerConnection {
  const configured = env.ARCA_VERIFY_DATABASE_URL;
  const raw = configured || sourceConnection;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(configured ? `ARCA_VERIFY_DATABASE_URL is not a postgres:// URL: cannot make a scratch database` : 'the source connection is not a URL: cannot make a scratch database');
  }
  if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error(`${configured ? 'ARCA_VERIFY_DATABASE_URL' : 'the source connection'} must be a postgres:// URL, not ${url.protocol}//`);
  const inUrl = url.password ? decodeURIComponent(url.password) : url.searchParams.get('password') ?? undefined;
  url.password = '';
  url.searchParams.delete('password');
  const password = configured ? inUrl : sourcePassword ?? inUrl;
  return { url: url.toString(), ...(password !== undefined ? { password } : {}) };
}

/** The same server's URL with another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/**
 * Counts the rows a plain-format pg_dump holds, table by table, from its COPY blocks
 * (`COPY public.t (a, b) FROM stdin;`, one line per row, up to `\.`). Fed line by line, so a dump
 * of any size is counted in constant memory. Tables are named as pg_dump writes them (schema-
 * qualified, quoted where needed), which is how format('%I.%I') names them too.
 */
export class DumpRowCounter {
  readonly rows = new Map<string, number>();
  private current: string | null = null;

  line(text: string): void {
    if (this.current !== null) {
      if (text === '\\.') this.current = null;
      else this.rows.set(this.current, this.rows.get(this.current)! + 1);
      return;
    }
    const copy = /^COPY (.+?) (?:\(.*\) )?FROM stdin;$/.exec(text);
    if (copy) {
      this.current = copy[1];
      this.rows.set(this.current, this.rows.get(this.current) ?? 0);
    }
  }

  /** The tables whose loaded row count differs from the dump's, e.g. "public.t: 3 in the dump, 2 loaded". */
  mismatches(loaded: Map<string, number>): string[] {
    const out: string[] = [];
    for (const [table, expected] of this.rows) {
      const got = loaded.get(table);
      if (got === undefined) out.push(`${table}: ${expected} row(s) in the dump, table missing once loaded`);
      else if (got !== expected) out.push(`${table}: ${expected} row(s) in the dump, ${got} loaded`);
    }
    return out;
  }
}

async function countDump(file: string): Promise<DumpRowCounter> {
  const counter = new DumpRowCounter();
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) counter.line(line);
  return counter;
}

/** Loads a plain-format dump with psql, stopping at its first error; rejects with psql's error. */
function loadDump(file: string, server: ServerConnection, database: string): Promise<void> {
  const env = server.password === undefined ? process.env : { ...process.env, PGPASSWORD: server.password };
  const child = spawn('psql', ['--no-psqlrc', '--quiet', '--set', 'ON_ERROR_STOP=1', '--dbname', withDatabase(server.url, database), '--file', file], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); });
  return new Promise<void>((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`cannot run psql: ${error.message}`, { cause: error })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited with ${code}: ${stderr.trim().split('\n').filter((l) => /ERROR|FATAL|error/.test(l)).slice(0, 2).join(' ') || stderr.trim().split('\n').pop()}`))));
  });
}

async function withClient<T>(server: ServerConnection, database: string | null, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: database === null ? server.url : withDatabase(server.url, database), ...(server.password !== undefined ? { password: server.password } : {}) });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Every table of the loaded database (not the system catalogues), with its row count. */
async function countTables(server: ServerConnection, database: string): Promise<Map<string, number>> {
  return withClient(server, database, async (client) => {
    const tables = (await client.query<{ name: string }>(`
      SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)).rows;
    const counts = new Map<string, number>();
    for (const { name } of tables) counts.set(name, Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`)).rows[0].n));
    return counts;
  });
}

/** The most tables restore.verified lists one by one. */
const LISTED_TABLES = 200;

/**
 * A PostgreSQL test restore's second half: the dump (restored and verified to `dumpFile`) is loaded
 * into a new scratch database on `server`, its tables are counted and checked against the dump's
 * own rows, and the scratch database is dropped again, whatever happened. Any failure is an
 * Error naming the scratch database and what went wrong.
 */
export async function loadAndCountDump(dumpFile: string, server: ServerConnection, scratch: string): Promise<RestoredDatabase> {
  const fail = (what: string, error: unknown) => new Error(`the dump did not load into scratch database ${scratch}: ${what}${error ? `: ${(error as Error).message}` : ''}`, { cause: error });
  try {
    await withClient(server, null, (c) => c.query(`CREATE DATABASE ${scratch}`));
  } catch (error) {
    throw new Error(`cannot create scratch database ${scratch} on ${new URL(server.url).host}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const started = Date.now();
    const [expected] = await Promise.all([countDump(dumpFile), loadDump(dumpFile, server, scratch).catch((error) => { throw fail('loading it failed', error); })]);
    const loadMs = Date.now() - started;
    const loaded = await countTables(server, scratch).catch((error) => { throw fail('counting its tables failed', error); });
    if (loaded.size === 0) throw fail('it holds no table once loaded', null);
    const wrong = expected.mismatches(loaded);
    if (wrong.length > 0) throw fail(`row counts differ from the dump's (${wrong.slice(0, 3).join('; ')})`, null);
    const tableRows = [...loaded].slice(0, LISTED_TABLES).map(([name, rows]) => ({ name, rows }));
    return {
      scratchDatabase: scratch, tables: loaded.size, rows: [...loaded.values()].reduce((a, b) => a + b, 0),
      expectedRows: [...expected.rows.values()].reduce((a, b) => a + b, 0), tableRows, loadMs,
    };
  } finally {
    await dropScratch(server, scratch);
  }
}

/** Drops the scratch database (connections to it closed first); a failure to is an error naming it, so it cannot stay behind unseen. */
export async function dropScratch(server: ServerConnection, scratch: string): Promise<void> {
  try {
    await withClient(server, null, (c) => c.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`));
  } catch (error) {
    throw new Error(`scratch database ${scratch} on ${new URL(server.url).host} could not be dropped (drop it by hand): ${(error as Error).message}`, { cause: error });
  }
}
