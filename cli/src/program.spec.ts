import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from './context';
import { CliError, GatewayClient } from './gateway-client';
import { buildProgram } from './program';
import { FakeRequest, startFakeGateway } from './testing/fake-gateway';

/**
 * Whole commands against a fake gateway: argument parsing, the requests they make, what they
 * print where, and how they fail. The fake jobs complete on the second poll.
 */
const SNAP_A = 'a1b2c3' + '0'.repeat(58);
const SNAP_B = 'a1ffff' + '1'.repeat(58);
const POLICY = { id: '5f0c1e2a-0000-4000-8000-000000000001', name: 'home', version: 2, source: { kind: 'directory', path: '/home' }, schedule: { cron: '0 2 * * *', timezone: 'Europe/Paris' }, backupWindow: { start: '01:00', end: '05:00' }, rpoMinutes: 1440, retention: { keepLast: 7, keepDaily: 14 } };
const stats = { files: 12, dirs: 3, bytesRead: 3 * 1024 ** 2, bytesNew: 1024 ** 2, bytesStored: 512 * 1024, dedupeRatio: 3, compressionRatio: 2, durationMs: 1500, throughputBytesPerSec: 2 * 1024 ** 2 };
const snapshots = [
  { id: SNAP_B, time: '2026-11-25T03:00:00.000Z', sourceKind: 'directory', sourceId: '/home', policyId: POLICY.id, stats },
  { id: SNAP_A, time: '2026-11-24T03:00:00.000Z', sourceKind: 'stream', sourceId: 'db.dump', policyId: null, stats: { ...stats, bytesNew: 0, dedupeRatio: null, compressionRatio: null } },
];
const polls = new Map<string, number>();
const results: Record<string, Record<string, unknown>> = {
  'backup-1': { kind: 'backup', status: 'completed', snapshotId: SNAP_B, stats },
  'restore-1': { kind: 'restore', status: 'completed', snapshotId: SNAP_A, stats: { files: 2, dirs: 1, bytesWritten: 100, durationMs: 20, failedFiles: [{ path: '/victim.txt', reason: 'chunk ab is damaged' }] } },
  'check-1': { kind: 'check', status: 'completed', stats: { packsChecked: 3, chunksChecked: 40, durationMs: 900, damaged: [{ chunkId: 'c'.repeat(64), packKey: 'data/ab/pack', reason: 'authentication failed', snapshots: [SNAP_A], files: ['/victim.txt'] }] } },
  'check-repair': { kind: 'check', status: 'completed', stats: { packsChecked: 3, chunksChecked: 40, durationMs: 900, damaged: [{ chunkId: 'c'.repeat(64), packKey: 'data/ab/pack', reason: 'authentication failed', snapshots: [SNAP_A], files: ['/victim.txt'] }], repair: { forgotten: ['c'.repeat(64)], notIndexedThere: [], damagedSnapshots: [{ snapshotId: SNAP_A, files: ['/victim.txt'] }], note: '1 chunk(s) removed from the dedupe index: the next backup of each affected source reads those files again and stores their data anew.' } } },
  'check-healed': { kind: 'check', status: 'completed', stats: { packsChecked: 4, chunksChecked: 41, durationMs: 900, damaged: [], superseded: [{ chunkId: 'c'.repeat(64), packKey: 'data/ab/pack', reason: 'authentication failed', indexedIn: 'data/cd/pack' }] } },
  'backup-bad': { kind: 'backup', status: 'failed', error: 'source /nope does not exist' },
  'backup-partial': { kind: 'backup', status: 'completed', snapshotId: SNAP_B, stats: { ...stats, errors: 2, skipped: [{ path: '/fifo', reason: 'not backed up: sockets, FIFOs and device files are skipped' }] } },
};
let nextJob = 'backup-1';
const TEST_KEY = `arca_${'k'.repeat(43)}`;
const KEY = { id: '7a6b5c4d-0000-4000-8000-000000000009', name: 'ci', role: 'operator', tenant: 'default', prefix: 'arca_kkkkkkk', createdBy: 'key:first-admin', createdAt: '2026-11-24T03:00:00.000Z', lastUsedAt: null, revokedAt: null, rotatedFrom: null };
let auditValid = true;
const HOOK = { id: '9c8b7a6d-0000-4000-8000-000000000003', url: 'https://hooks.example.com/arca', events: ['backup.failed'], createdBy: 'key:first-admin', createdAt: '2026-11-24T03:00:00.000Z' };
const specFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'arca-cli-spec-')), 'policy.json');
writeFileSync(specFile, JSON.stringify({ ...POLICY, id: undefined, version: undefined, rpoMinutes: 60 }));
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;

beforeAll(async () => {
  gateway = await startFakeGateway((req: FakeRequest) => {
    const job = /^\/jobs\/(.+)$/.exec(req.path);
    if (job && req.method === 'GET') {
      const n = (polls.get(job[1]) ?? 0) + 1;
      polls.set(job[1], n);
      return [200, n < 2 ? { jobId: job[1], kind: results[job[1]].kind, status: 'running', progress: { files: 1, bytesRead: 10 } } : { jobId: job[1], ...results[job[1]] }];
    }
    if (req.method === 'POST' && ['/jobs', '/streams', '/check', `/snapshots/${SNAP_A}/restore`].includes(req.path)) return [202, { jobId: nextJob }];
    if (req.path === '/snapshots') return [200, snapshots];
    if (req.path === '/policies' && req.method === 'GET') return [200, [POLICY]];
    if (req.path === '/policies' && req.method === 'POST') return [201, { ...POLICY, ...JSON.parse(req.body.toString()), id: 'new-id' }];
    if (req.path === `/policies/${POLICY.id}` && req.method === 'GET') return [200, POLICY];
    if (req.path === `/policies/${POLICY.id}` && req.method === 'DELETE') return [204, undefined];
    if (req.path === `/policies/${POLICY.id}` && req.method === 'PUT') return [200, { ...POLICY, ...JSON.parse(req.body.toString()), version: POLICY.version + 1 }];
    if (req.path === `/snapshots/${SNAP_A}/tree`) return [200, [{ name: 'docs', path: '/docs', type: 'dir', mode: 0o755, mtime: '2026-11-24T03:00:00.000Z' }, { name: 'a.txt', path: '/a.txt', type: 'file', size: 2048, mode: 0o644, mtime: '2026-11-24T03:00:00.000Z' }]];
    if (req.path === `/snapshots/${SNAP_A}/file`) return req.query.get('path') === '/a.txt' ? [200, Buffer.from([0, 1, 2, 255]), 'application/octet-stream'] : [404, { statusCode: 404, message: `${req.query.get('path')} is not a file in snapshot ${SNAP_A}` }];
    if (req.path === '/keys' && req.method === 'GET') return [200, [KEY]];
    if (req.path === '/keys' && req.method === 'POST') return [201, { ...KEY, ...JSON.parse(req.body.toString()), key: `arca_${'n'.repeat(43)}` }];
    if (req.path === `/keys/${KEY.id}/rotate` && req.method === 'POST') return [201, { ...KEY, id: 'new-key-id', rotatedFrom: KEY.id, key: `arca_${'r'.repeat(43)}` }];
    if (req.path === `/keys/${KEY.id}` && req.method === 'DELETE') return [200, { ...KEY, revokedAt: '2026-11-25T03:00:00.000Z' }];
    if (req.path === '/audit/verify') return [200, auditValid ? { valid: true, entries: 3, head: { seq: 3, hash: 'f'.repeat(64) } } : { valid: false, entries: 1, firstBroken: { seq: 2, eventId: 'e2', reason: 'its content does not match its hash: the entry was edited' } }];
    if (req.path === '/audit/export') return [200, `seq,time\r\n1,2026-11-24T03:00:00.000Z\r\n`, 'text/csv'];
    if (req.path === '/webhooks' && req.method === 'GET') return [200, [HOOK]];
    if (req.path === '/webhooks' && req.method === 'POST') return [201, { ...HOOK, ...JSON.parse(req.body.toString()), secret: `whsec_${'s'.repeat(43)}` }];
    if (req.path === `/webhooks/${HOOK.id}/deliveries`) return [200, [{ id: 'd1', eventId: 'e1', event: 'backup.failed', status: 'pending', attempts: 2, nextAttemptAt: '2026-11-25T03:01:00.000Z', lastStatus: 503, lastError: 'answered 503 Service Unavailable', createdAt: '2026-11-25T03:00:00.000Z', deliveredAt: null }]];
    if (req.path === '/unauthorized') return [401, { statusCode: 401, message: 'no credentials' }];
    return undefined;
  });
});

afterAll(() => gateway.close());

/** Runs `arca …` in-process, capturing stdout/stderr; the error (if any) is what main would print as "arca: …". */
async function arca(args: string[], stdin = '', env: NodeJS.ProcessEnv = { ARCA_API_KEY: TEST_KEY }): Promise<{ stdout: string; stdoutBytes: Buffer; stderr: string; error?: Error; requests: FakeRequest[] }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const io: CliIo = { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]), cwd: () => '/work/here', env: { ARCA_URL: gateway.url, ...env } };
  const before = gateway.requests.length;
  const program = buildProgram(io).exitOverride();
  let error: Error | undefined;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    error = e as Error;
  }
  return { stdout: Buffer.concat(out).toString(), stdoutBytes: Buffer.concat(out), stderr: Buffer.concat(err).toString(), error, requests: gateway.requests.slice(before) };
}

describe('arca commands against a fake gateway', () => {
  it('backs up a directory given relative to the working directory and prints the snapshot id alone on stdout', async () => {
    nextJob = 'backup-1';
    const r = await arca(['backup', 'docs']);
    expect(r.error).toBeUndefined();
    expect(r.stdout).toBe(`${SNAP_B}\n`);
    expect(r.stderr).toMatch(/snapshot a1ffff111111: 12 files, 3.00 MiB read, 1.00 MiB new, 512.0 KiB stored, dedupe 3.00×/);
    const post = r.requests.find((q) => q.method === 'POST')!;
    expect(JSON.parse(post.body.toString())).toEqual({ source: { kind: 'directory', path: '/work/here/docs' } });
    expect(post.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });

  it('names the entries a backup left out and fails, while still printing the snapshot id', async () => {
    nextJob = 'backup-partial';
    const r = await arca(['backup', 'docs']);
    expect(r.stdout).toBe(`${SNAP_B}\n`);
    expect(r.stderr).toMatch(/NOT BACKED UP \/fifo: not backed up: sockets, FIFOs and device files are skipped\n {2}… and 1 more/);
    expect(r.error?.message).toBe('2 entries could not be backed up (the snapshot holds the rest)');
    nextJob = 'backup-partial';
    const json = await arca(['backup', 'docs', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ snapshotId: SNAP_B, stats: { errors: 2 } });
    expect(json.error?.message).toMatch(/2 entries could not be backed up/);
  });

  it('streams standard input to /streams under its name', async () => {
    nextJob = 'backup-1';
    const r = await arca(['backup', '--stdin', '--name', 'db.dump'], 'the bytes of a dump');
    const post = r.requests.find((q) => q.path === '/streams')!;
    expect(post.query.get('name')).toBe('db.dump');
    expect(post.body.toString()).toBe('the bytes of a dump');
    expect(r.stdout.trim()).toBe(SNAP_B);
  });

  it('runs a policy named by its name, and prints the whole job with --json (before or after the command)', async () => {
    nextJob = 'backup-1';
    for (const args of [['backup', '--policy', 'home', '--json'], ['--json', 'backup', '--policy', 'home']]) {
      polls.delete('backup-1');
      const r = await arca(args);
      expect(JSON.parse(r.stdout)).toMatchObject({ jobId: 'backup-1', status: 'completed', snapshotId: SNAP_B });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.requests.find((q) => q.path === '/jobs' && q.method === 'POST')!.body.toString())).toEqual({ policyId: POLICY.id });
    }
  });

  it("fails with the job's reason", async () => {
    nextJob = 'backup-bad';
    const r = await arca(['backup', '/nope']);
    expect(r.error).toBeInstanceOf(CliError);
    expect(r.error!.message).toBe('backup job backup-bad failed: source /nope does not exist');
    expect(r.stdout).toBe('');
  });

  it('lists snapshots as a table, or as the JSON array', async () => {
    const r = await arca(['snapshots']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+time\s+source\s+files\s+read\s+new\s+stored\s+dedupe$/);
    expect(lines[2]).toMatch(/^a1ffff111111\s+\S+ \S+\s+\/home\s+12\s+3\.00 MiB\s+1\.00 MiB\s+512\.0 KiB\s+3\.00×$/);
    expect(lines[3]).toMatch(/stream:db\.dump .* ∞$/);
    expect(JSON.parse((await arca(['snapshots', '--json'])).stdout)).toEqual(snapshots);
    const filtered = await arca(['snapshots', '--policy', 'home']);
    expect(filtered.requests.find((q) => q.path === '/snapshots')!.query.get('policyId')).toBe(POLICY.id);
  });

  it('resolves snapshot prefixes and explains ambiguous ones', async () => {
    const r = await arca(['ls', 'a1b2']);
    expect(r.requests.at(-1)!.path).toBe(`/snapshots/${SNAP_A}/tree`);
    expect(r.stdout).toMatch(/drwxr-xr-x\s+\S+ \S+\s+docs\//);
    expect(r.stdout).toMatch(/-rw-r--r--\s+2\.00 KiB\s+\S+ \S+\s+a\.txt/);
    const ambiguous = await arca(['ls', 'a1']);
    expect(ambiguous.error!.message).toMatch(/snapshot prefix a1 matches 2 snapshots/);
  });

  it('restores into an absolute target, reports failed files on stderr and exits non-zero', async () => {
    nextJob = 'restore-1';
    const r = await arca(['restore', 'a1b2c3', '--target', 'out', '--path', 'docs', '/a.txt']);
    expect(JSON.parse(r.requests.find((q) => q.path.endsWith('/restore'))!.body.toString())).toEqual({ target: '/work/here/out', paths: ['/docs', '/a.txt'] });
    expect(r.stderr).toMatch(/restored 2 files and 1 directories, 100 B, from a1b2c3000000 into \/work\/here\/out/);
    expect(r.stderr).toMatch(/FAILED \/victim\.txt: chunk ab is damaged/);
    expect(r.error!.message).toMatch(/^1 file\(s\) could not be restored/);
  });

  it('writes a file out of a snapshot byte for byte, and passes on a missing file\'s reason', async () => {
    const r = await arca(['cat', 'a1b2c3', 'a.txt']);
    expect(r.stdoutBytes).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(r.requests.at(-1)!.query.get('path')).toBe('/a.txt');
    const missing = await arca(['cat', 'a1b2c3', '/nope']);
    expect(missing.error!.message).toBe(`/nope is not a file in snapshot ${SNAP_A}`);
  });

  it('reports damaged chunks with their snapshots and files, and fails', async () => {
    nextJob = 'check-1';
    const r = await arca(['check', '--percent', '50']);
    expect(JSON.parse(r.requests.find((q) => q.path === '/check')!.body.toString())).toEqual({ percent: 50 });
    expect(r.stdout).toMatch(new RegExp(`^DAMAGED chunk c{64} in data/ab/pack: authentication failed\\n  snapshots: ${SNAP_A}\\n  files: /victim.txt`));
    expect(r.stderr).toMatch(/checked 3 packs \(50%\), 40 chunks/);
    expect(r.error!.message).toMatch(/1 damaged chunk\(s\) affecting 1 snapshot\(s\)/);
  });

  it('repairs: asks for it, then names what was forgotten and which snapshots and files stay damaged', async () => {
    nextJob = 'check-repair';
    const r = await arca(['check', '--repair']);
    expect(JSON.parse(r.requests.find((q) => q.path === '/check')!.body.toString())).toEqual({ percent: 100, repair: true });
    expect(r.stdout).toContain(`REPAIRED: 1 chunk(s) removed from the dedupe index: ${'c'.repeat(64)}\nSTILL DAMAGED snapshot ${SNAP_A}: /victim.txt\n1 chunk(s) removed`);
    expect(r.error!.message).toMatch(/1 damaged chunk\(s\) affecting 1 snapshot\(s\); files that use them cannot be restored; 1 chunk\(s\) forgotten, so the next backup stores them again/);
  });

  it('names damaged copies a later backup replaced, and succeeds when nothing else is damaged', async () => {
    nextJob = 'check-healed';
    const r = await arca(['check']);
    expect(r.stdout).toBe(`no damage found\nREPLACED damaged copy of chunk ${'c'.repeat(64)} in data/ab/pack: restores read data/cd/pack\n`);
    expect(r.error).toBeUndefined();
  });

  it('manages policies by name', async () => {
    expect((await arca(['policies', 'list'])).stdout).toMatch(/5f0c1e2a\s+home\s+2\s+0 2 \* \* \* \(Europe\/Paris\)\s+01:00-05:00\s+1440 min\s+last 7, daily 14\s+\/home/);
    expect((await arca(['policies', 'show', 'home'])).stdout).toMatch(/schedule {2}0 2 \* \* \* in Europe\/Paris, only between 01:00 and 05:00/);
    const deleted = await arca(['policies', 'delete', 'home']);
    expect(deleted.requests.at(-1)!.method).toBe('DELETE');
    expect(deleted.stdout).toBe(`deleted policy ${POLICY.id}\n`);
    const updated = await arca(['policies', 'update', 'home', '--file', specFile]);
    expect(updated.stdout).toBe('updated policy home to version 3\n');
    expect(JSON.parse(updated.requests.at(-1)!.body.toString())).toMatchObject({ rpoMinutes: 60 });
    const missing = await arca(['policies', 'create', '--file', 'nope.json']);
    expect(missing.error!.message).toBe('cannot read nope.json: no such file');
  });

  it('rejects bad arguments before calling the gateway', async () => {
    const r = await arca(['check', '--percent', '0']);
    expect(r.stderr).toMatch(/^arca: option '--percent <n>' argument '0' is invalid\. a whole number from 1 to 100/);
    expect(r.requests).toHaveLength(0);
  });

  it('creates, lists, rotates and revokes API keys, printing a new key alone on stdout', async () => {
    const created = await arca(['keys', 'create', 'ci', '--role', 'auditor']);
    expect(created.stdout).toBe(`arca_${'n'.repeat(43)}\n`);
    expect(created.stderr).toMatch(/created auditor key ci .*shown only this once/);
    expect(JSON.parse(created.requests[0].body.toString())).toEqual({ name: 'ci', role: 'auditor' });
    expect((await arca(['keys', 'list'])).stdout).toMatch(/7a6b5c4d\s+ci\s+operator\s+arca_kkkkkkk…\s+.*never\s+active/);
    const rotated = await arca(['keys', 'rotate', 'ci']);
    expect(rotated.requests.at(-1)).toMatchObject({ method: 'POST', path: `/keys/${KEY.id}/rotate` });
    expect(rotated.stdout).toBe(`arca_${'r'.repeat(43)}\n`);
    expect((await arca(['keys', 'revoke', '7a6b'])).stdout).toBe(`revoked key ci (${KEY.id})\n`);
    expect((await arca(['keys', 'create', 'x', '--role', 'root'])).stderr).toMatch(/argument 'root' is invalid/);
    const forTenant = await arca(['keys', 'create', 'acme-ops', '--role', 'admin', '--tenant', 'acme']);
    expect(JSON.parse(forTenant.requests[0].body.toString())).toEqual({ name: 'acme-ops', role: 'admin', tenant: 'acme' });
    expect(forTenant.stderr).toMatch(/created admin key acme-ops .* of tenant acme; the key is shown only this once/);
  });

  it('verifies the audit chain, failing with the first broken entry, and exports it', async () => {
    auditValid = true;
    expect((await arca(['audit', 'verify'])).stdout).toMatch(/intact: 3 entries, the last #3/);
    auditValid = false;
    const broken = await arca(['audit', 'verify']);
    expect(broken.error!.message).toBe('the audit chain is broken at entry #2 (event e2): its content does not match its hash: the entry was edited; 1 entries before it are intact');
    const exported = await arca(['audit', 'export', '--format', 'csv']);
    expect(exported.requests[0].query.get('format')).toBe('csv');
    expect(exported.stdout).toBe('seq,time\r\n1,2026-11-24T03:00:00.000Z\r\n');
  });

  it('sends the admin key npm start wrote when ARCA_API_KEY is unset, and says where to get a key on 401', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arca-cli-key-'));
    writeFileSync(path.join(dataDir, 'admin-key'), `arca_${'a'.repeat(43)}\n`, { mode: 0o600 });
    const r = await arca(['report', '--json'], '', { ARCA_DATA_DIR: dataDir });
    expect(r.requests[0].headers.authorization).toBe(`Bearer arca_${'a'.repeat(43)}`);
    const client = new GatewayClient(gateway.url);
    await expect(client.get('/unauthorized')).rejects.toThrow(/no credentials — set ARCA_API_KEY to an API key \(npm start writes the first admin key to .arca\/admin-key/);
  });

  it('adds webhooks (printing the secret alone), lists them and their deliveries', async () => {
    const added = await arca(['webhooks', 'add', 'https://hooks.example.com/arca', '--event', 'backup.failed', 'policy.rpo_breached']);
    expect(added.stdout).toBe(`whsec_${'s'.repeat(43)}\n`);
    expect(JSON.parse(added.requests[0].body.toString())).toEqual({ url: 'https://hooks.example.com/arca', events: ['backup.failed', 'policy.rpo_breached'] });
    expect((await arca(['webhooks', 'add', 'https://x', '--event', 'backup.started'])).stderr).toMatch(/argument 'backup.started' is invalid/);
    expect((await arca(['webhooks', 'list'])).stdout).toMatch(/9c8b7a6d\s+https:\/\/hooks.example.com\/arca\s+backup.failed/);
    expect((await arca(['webhooks', 'deliveries', '9c8b'])).stdout).toMatch(/backup.failed\s+pending\s+2\s+answered 503 Service Unavailable/);
  });
});
