import { makeEdgeCaseTree } from '@arca/datapath/src/testing/edge-case-tree';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, lstatSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { arca, arcaBytes, arcaStatus } from './support/cli';
import { damageNewDataPacks, damageNewListingPacks } from './support/damage';
import { adminAuthorization, api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

const stack = usePlatform();
const tempDir = (name: string) => stack.tempDir(name);


interface SnapshotJson {
  id: string;
  stats: { files: number; bytesRead: number; bytesNew: number; bytesStored: number; dedupeRatio: number | null; compressionRatio: number | null };
}

/**
 * Type, mode, nanosecond mtime, and size or link target of every entry: what diff -r leaves out.
 * Names and link targets are read as bytes (keys in hex), so a name that is not UTF-8 counts.
 */
function metadata(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: Buffer, rel: string) => {
    for (const name of readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare)) {
      const full = Buffer.concat([dir, Buffer.from('/'), name]);
      const st = lstatSync(full, { bigint: true });
      const key = `${rel}/${name.toString('hex')}`;
      const mode = (st.mode & 0o7777n).toString(8);
      if (st.isSymbolicLink()) out[key] = `symlink -> ${readlinkSync(full, { encoding: 'buffer' }).toString('hex')} ${st.mtimeNs}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${mode} ${st.mtimeNs}`;
        walk(full, key);
      } else out[key] = `file ${mode} ${st.mtimeNs} ${st.size} links=${st.nlink}`;
    }
  };
  walk(Buffer.from(root), '');
  return out;
}

describe('backup and restore through the running platform', () => {
  let source: string;
  let first: string;

  it('backs up a directory with the CLI and lists the snapshot with its statistics', async () => {
    source = tempDir('src');
    await makeEdgeCaseTree(source);
    first = (await arca(stack.platform.gatewayUrl, ['backup', source])).stdout.trim();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const snapshots = JSON.parse((await arca(stack.platform.gatewayUrl, ['snapshots', '--json'])).stdout) as SnapshotJson[];
    const listed = snapshots.find((s) => s.id === first)!;
    expect(listed.stats.files).toBeGreaterThan(10);
    expect(listed.stats.bytesRead).toBeGreaterThan(8_000_000);
    expect(listed.stats.bytesNew).toBe(listed.stats.bytesRead);
    expect(listed.stats.bytesStored).toBeGreaterThan(1_000_000);
  });

  it('stores under 1% on a second backup of the unchanged tree', async () => {
    const second = (await arca(stack.platform.gatewayUrl, ['backup', source])).stdout.trim();
    const snapshots = JSON.parse((await arca(stack.platform.gatewayUrl, ['snapshots', '--json'])).stdout) as SnapshotJson[];
    const a = snapshots.find((s) => s.id === first)!;
    const b = snapshots.find((s) => s.id === second)!;
    expect(b.stats.bytesNew).toBeLessThan(a.stats.bytesStored * 0.01);
    expect(b.stats.bytesStored).toBeLessThan(a.stats.bytesStored * 0.01);
    expect(b.stats).toMatchObject({ bytesNew: 0, dedupeRatio: null, compressionRatio: null }); // not bytesRead / 1 and 0
    expect(a.stats.compressionRatio).toBeGreaterThan(1);
  });

  it('restores the first snapshot byte for byte, with modes, mtimes, symlinks and hard links', async () => {
    const target = path.join(tempDir('restore'), 'out');
    await arca(stack.platform.gatewayUrl, ['restore', first.slice(0, 10), '--target', target]);
    execFileSync('diff', ['-r', '--no-dereference', source, target]);
    expect(metadata(target)).toEqual(metadata(source));
  });

  it('lists one file when ls is given its path, and names that are not UTF-8 by their readable form', async () => {
    const ls = async (p: string) => JSON.parse((await arca(stack.platform.gatewayUrl, ['ls', first, p, '--json'])).stdout) as Array<{ name: string; path: string; type: string; size?: number }>;
    expect(await ls('/docs/readme.txt')).toEqual([expect.objectContaining({ name: 'readme.txt', path: '/docs/readme.txt', type: 'file', size: 11_000 })]);
    expect(await ls('/link-to-latin1')).toEqual([expect.objectContaining({ type: 'symlink', target: 'caf\\xE9/r\\xE9sum\\xE9.txt' })]);
    expect((await ls('/')).map((e) => e.name)).toEqual(expect.arrayContaining(['caf\\xE9', 'caf\\xE9~2']));
    expect((await ls('/caf\\xE9~2')).map((e) => e.name)).toEqual(['hardlink-\\xE0', 'r\\xE9sum\\xE9.txt']);
    const table = (await arca(stack.platform.gatewayUrl, ['ls', first, '/docs/readme.txt'])).stdout;
    expect(table).toMatch(/-rw-r--r--.*readme\.txt/);
  });

  it("lists a file's versions across the snapshots of its directory", async () => {
    const versions = JSON.parse((await arca(stack.platform.gatewayUrl, ['versions', source, '/docs/readme.txt', '--json'])).stdout) as Array<{ snapshotId: string; size: number }>;
    expect(versions.map((v) => v.snapshotId)).toContain(first);
    expect(versions.every((v) => v.size === 11_000)).toBe(true);
  });

  it('stores only the changed part of an edited file', async () => {
    const big = path.join(source, 'docs', 'nested', 'deeper', 'random.bin');
    appendFileSync(big, randomBytes(1000));
    const edited = (await arca(stack.platform.gatewayUrl, ['backup', source])).stdout.trim();
    const snapshots = JSON.parse((await arca(stack.platform.gatewayUrl, ['snapshots', '--json'])).stdout) as SnapshotJson[];
    const s = snapshots.find((x) => x.id === edited)!;
    expect(s.stats.bytesNew).toBeGreaterThan(0);
    expect(s.stats.bytesNew).toBeLessThan(3 * 1024 * 1024); // the tail chunk(s), not the whole 3 MiB file again
  });

  it('names the entries a backup left out and exits non-zero, printing the snapshot id', async () => {
    const dir = tempDir('partial');
    writeFileSync(path.join(dir, 'kept.txt'), 'kept');
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    const r = await arcaStatus(stack.platform.gatewayUrl, ['backup', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(r.stderr).toMatch(/NOT BACKED UP \/fifo: not backed up: sockets, FIFOs and device files are skipped/);
    expect(r.stderr).toMatch(/1 entry could not be backed up \(the snapshot holds the rest\)/);
  });

  it('refuses a restore target that is not absolute, naming the problem', async () => {
    const result = await api<{ message: string[] }>(stack.platform, 'POST', `/snapshots/${first}/restore`, { target: 'relative/dir' });
    expect(result.status).toBe(400);
    expect(result.body.message.join()).toMatch(/target must be an absolute path/);
  });

  it('finds a flipped byte with check, names the file, and restores every other file', async () => {
    const dir = tempDir('victim');
    writeFileSync(path.join(dir, 'victim.txt'), 'victim contents ' + randomBytes(300_000).toString('hex')); // incompressible: its pack is large
    writeFileSync(path.join(dir, 'bystander.txt'), 'unharmed ' + randomBytes(16).toString('hex'));
    const snapshot = (await arca(stack.platform.gatewayUrl, ['backup', dir])).stdout.trim();
    const manifest = await api<Array<{ name: string }>>(stack.platform, 'GET', `/snapshots/${snapshot}/tree?path=/`);
    expect(manifest.body.map((e) => e.name).sort()).toEqual(['bystander.txt', 'victim.txt']);

    // The newest data pack in s3rver's directory holds these two files' chunks; damage it.
    expect(damageNewDataPacks(stack.platform.dataDir, path.join(dir, 'bystander.txt')).length).toBeGreaterThan(0);
    const check = await arcaStatus(stack.platform.gatewayUrl, ['check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/DAMAGED chunk [0-9a-f]{64}/);
    expect(check.stdout).toMatch(new RegExp(`snapshots: .*${snapshot}`));
    expect(check.stdout).toMatch(/files: .*\/(victim|bystander)\.txt/);

    const target = path.join(tempDir('restore'), 'out');
    const restore = await arcaStatus(stack.platform.gatewayUrl, ['restore', snapshot, '--target', target]);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/FAILED \/(victim|bystander)\.txt: chunk [0-9a-f]{64} is damaged/);
    expect(restore.stderr).toMatch(/1 file\(s\) could not be restored/);
  });

  it('refuses to start ingest with a wrong passphrase, saying so', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.resolve(__dirname, '../../services/ingest/src/main.ts')], {
      env: { ...stack.platform.env, ARCA_PASSPHRASE: 'not the right passphrase', INGEST_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/wrong passphrase for repository [0-9a-f]{32}/);
  });

  it('backs up a PostgreSQL database, which restores into an empty database with equal contents', async () => {
    const admin = new Client({ connectionString: stack.platform.env.DATABASE_URL });
    await admin.connect();
    const name = `arca_e2e_db_${randomBytes(3).toString('hex')}`;
    const url = (db: string) => { const u = new URL(stack.platform.env.DATABASE_URL!); u.pathname = `/${db}`; return u.toString(); };
    try {
      await admin.query(`CREATE DATABASE ${name}`);
      const db = new Client({ connectionString: url(name) });
      await db.connect();
      await db.query(`CREATE TABLE accounts (id serial PRIMARY KEY, owner text NOT NULL, balance numeric(12,2), opened date)`);
      await db.query(`INSERT INTO accounts (owner, balance, opened) SELECT 'owner ' || g, g * 1.5, DATE '2020-01-01' + g FROM generate_series(1, 5000) g`);
      await db.query(`CREATE INDEX accounts_owner ON accounts (owner)`);
      const before = (await db.query(`SELECT md5(string_agg(t::text, ',' ORDER BY id)) AS digest, count(*) FROM accounts t`)).rows[0];
      await db.end();

      // a password in the URL (the local server trusts loopback and ignores it) must not show in the job
      const withPassword = new URL(url(name));
      withPassword.password ||= 'e2e-not-checked';
      const job = JSON.parse((await arca(stack.platform.gatewayUrl, ['backup', '--postgres', withPassword.toString(), '--json'])).stdout) as { jobId: string; snapshotId: string };
      const snapshot = job.snapshotId;
      const jobs = await api<unknown[]>(stack.platform, 'GET', '/jobs');
      expect(JSON.stringify([job, jobs.body])).not.toContain(`:${withPassword.password}@`);
      expect(JSON.stringify(job)).toContain(':***@');
      await admin.query(`DROP DATABASE ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
      const dump = (await arca(stack.platform.gatewayUrl, ['cat', snapshot, `/${name}.sql`])).stdout;
      await new Promise<void>((resolve, reject) => {
        const psql = spawn('psql', ['--quiet', '--set', 'ON_ERROR_STOP=1', '--dbname', url(name)], { stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        psql.stderr.on('data', (d) => { stderr += d; });
        psql.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql failed: ${stderr}`))));
        psql.stdin.end(dump);
      });

      const restored = new Client({ connectionString: url(name) });
      await restored.connect();
      const after = (await restored.query(`SELECT md5(string_agg(t::text, ',' ORDER BY id)) AS digest, count(*) FROM accounts t`)).rows[0];
      await restored.end();
      expect(after).toEqual(before);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('changes the passphrase by re-wrapping the key, refusing a wrong current one', async () => {
    const wrong = await api<{ message: string }>(stack.platform, 'POST', '/repository/passphrase', { oldPassphrase: 'guess', newPassphrase: 'new-passphrase-1' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.message).toMatch(/wrong passphrase for repository/);
    const changed = await api<{ repositoryId: string }>(stack.platform, 'POST', '/repository/passphrase', { oldPassphrase: stack.platform.env.ARCA_PASSPHRASE, newPassphrase: 'new-passphrase-1' });
    expect(changed.status).toBe(200);
    // Data is untouched: the first snapshot still lists, and the old passphrase no longer unlocks the key.
    expect((await api(stack.platform, 'GET', `/snapshots/${first}/tree?path=/`)).status).toBe(200);
    const back = await api(stack.platform, 'POST', '/repository/passphrase', { oldPassphrase: stack.platform.env.ARCA_PASSPHRASE, newPassphrase: 'x'.repeat(12) });
    expect(back.status).toBe(403);
    await api(stack.platform, 'POST', '/repository/passphrase', { oldPassphrase: 'new-passphrase-1', newPassphrase: stack.platform.env.ARCA_PASSPHRASE });
  });

  it('backs up a byte stream from stdin', async () => {
    const data = Buffer.concat([Buffer.from('stream header\n'), randomBytes(2_000_000)]);
    const result = await arcaStatus(stack.platform.gatewayUrl, ['backup', '--stdin', '--name', 'upload.bin'], data);
    expect(result.code, result.stderr).toBe(0);
    const snapshot = result.stdout.trim();
    const out = await arcaBytes(stack.platform.gatewayUrl, ['cat', snapshot, '/upload.bin']);
    expect(Buffer.compare(out, data)).toBe(0);
  });

  it('announces the packs a failed backup stored, and check lists them as referenced by no snapshot', async () => {
    // An upload that breaks off after ~40 MB: two or more packs are stored before the backup fails.
    const url = new URL(`${stack.platform.gatewayUrl}/streams?name=cut-off.bin`);
    await new Promise<void>((resolve) => {
      const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...adminAuthorization(stack.platform) } });
      request.on('error', () => resolve());
      request.on('response', () => resolve());
      let sent = 0;
      const pump = () => {
        while (sent < 40 * 1024 * 1024) {
          sent += 1024 * 1024;
          if (!request.write(randomBytes(1024 * 1024))) return void request.once('drain', pump);
        }
        setTimeout(() => { request.destroy(); resolve(); }, 2000); // let ingest store what it has, then cut the connection
      };
      pump();
    });
    const failed = await until(async () => {
      const jobs = (await api<Array<{ status: string; error?: string; source?: { name?: string } }>>(stack.platform, 'GET', '/jobs?kind=backup')).body;
      return jobs.find((j) => j.source?.name === 'cut-off.bin' && j.status === 'failed');
    }, 'the cut-off upload to fail', 60_000);
    expect(failed.error).toMatch(/broke off before its end/);
    const check = await arcaStatus(stack.platform.gatewayUrl, ['check']);
    expect(check.stdout).toMatch(/\d+ pack\(s\), [\d.]+ [KMG]i?B, hold no chunk any snapshot references \(left by failed or interrupted backups\)/);
    expect(check.stdout).toMatch(/^UNREFERENCED data\/[0-9a-f]{2}\/[0-9a-f]{64}$/m);
  });

  it('says which snapshot cannot be read and why when a directory listing is damaged, pointing at check', async () => {
    const dir = tempDir('listing');
    writeFileSync(path.join(dir, 'data.bin'), randomBytes(300_000));
    const snapshot = (await arca(stack.platform.gatewayUrl, ['backup', dir])).stdout.trim();
    expect(damageNewListingPacks(stack.platform.dataDir, path.join(dir, 'data.bin')).length).toBeGreaterThan(0);
    const ls = await arcaStatus(stack.platform.gatewayUrl, ['ls', snapshot, '/']);
    expect(ls.code).not.toBe(0);
    expect(ls.stderr).toMatch(new RegExp(`snapshot ${snapshot} cannot be read: chunk [0-9a-f]{64} is damaged: authentication failed.*run \`arca check\``));
  });
});
