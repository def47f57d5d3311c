import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIssuer, TestIssuer } from '../../services/gateway/src/testing/oidc-issuer';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * Two tenants on one platform: tenant B (globex) tries to reach tenant A's (acme) policies, jobs,
 * snapshots, keys, webhooks and audit entries by every route, with A's real ids and with guessed
 * ones; each answer is the same 404 a made-up id gets (lists simply leave A's objects out), so
 * nothing tells B that A's objects exist. Reports, usage, audit chains and webhook deliveries are
 * per tenant, and repository-wide operations stay with the `default` tenant.
 */
const received: Array<{ path: string; body: string }> = [];
let receiver: http.Server;
let receiverUrl = '';
let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer('arca-tenants');
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      received.push({ path: req.url ?? '', body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => {
  receiver?.close();
  issuer?.close();
});
const stack = usePlatform(() => ({ OIDC_ISSUER: issuer.issuer, OIDC_AUDIENCE: 'arca-tenants', OIDC_JWKS_URL: issuer.jwksUrl, ARCA_AUTH_FAILURE_LIMIT: '100000' }));

const A = 'acme';
const B = 'globex';
const as = (key: string) => ({ authorization: `Bearer ${key}` });
type Keys = { admin: string; operator: string; auditor: string; adminId: string };
const keys: Record<string, Keys> = {};

async function keyFor(tenant: string, role: string, by: string | undefined, name = `${tenant}-${role}`): Promise<{ id: string; key: string; tenant: string }> {
  const created = await api<{ id: string; key: string; tenant: string }>(stack.platform, 'POST', '/keys', { name, role, ...(by ? {} : { tenant }) }, by ? as(by) : {});
  expect(created.status, `${name}: ${JSON.stringify(created.body)}`).toBe(201);
  expect(created.body.tenant).toBe(tenant);
  return created.body;
}

/** A tenant's admin (made by the installation's admin), and its operator and auditor (made by that admin, for its own tenant). */
async function tenantKeys(tenant: string): Promise<Keys> {
  const admin = await keyFor(tenant, 'admin', undefined);
  return { admin: admin.key, adminId: admin.id, operator: (await keyFor(tenant, 'operator', admin.key)).key, auditor: (await keyFor(tenant, 'auditor', admin.key)).key };
}

interface JobView { jobId: string; status: string; snapshotId: string | null; error: string | null; stats: { bytesRead: number; bytesNew: number; bytesStored: number; damaged?: unknown[] } | null }

const LEDGER = 'acme ledger\n'.repeat(20_000);

async function finished(key: string, jobId: string): Promise<JobView> {
  return until(async () => {
    const job = await api<JobView>(stack.platform, 'GET', `/jobs/${jobId}`, undefined, as(key));
    return job.status === 200 && ['completed', 'failed'].includes(job.body.status) && job.body;
  }, `job ${jobId} to finish`, 60_000, 250);
}

async function backUp(key: string, body: Record<string, unknown>): Promise<JobView> {
  const run = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', body, as(key));
  expect(run.status, JSON.stringify(run.body)).toBe(202);
  return finished(key, run.body.jobId);
}

interface Summary { jobs: { total: number; completed: number }; storage: { bytesRead: number; bytesStored: number }; usage: { repository: { packs: number; bytesStored: number; snapshots: number } } }
const summary = async (key: string) => (await api<Summary>(stack.platform, 'GET', '/reports/summary', undefined, as(key))).body;

describe('tenants through the real platform', () => {
  const source = () => path.join(stack.tempDir('tenant-source'), 'data');
  let dir = '';
  const a: { policyId?: string; jobId?: string; snapshotId?: string; webhookId?: string } = {};

  it('gives each key a tenant: the installation admin makes keys for any tenant, a tenant admin only for its own; whoami names it', async () => {
    keys[A] = await tenantKeys(A);
    keys[B] = await tenantKeys(B);
    const refused = await api<{ message: string }>(stack.platform, 'POST', '/keys', { name: 'intruder', role: 'admin', tenant: A }, as(keys[B].admin));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/only admins of the default tenant may create keys for another tenant/);
    expect((await api(stack.platform, 'POST', '/keys', { name: 'bad', role: 'admin', tenant: 'Not A Slug' })).status).toBe(400);
    for (const [tenant, key] of [[A, keys[A].operator], [B, keys[B].auditor], ['default', stack.platform.adminKey]]) {
      expect((await api<{ tenant: string }>(stack.platform, 'GET', '/whoami', undefined, as(key))).body.tenant).toBe(tenant);
    }
    // OIDC: the tenant comes from the token's claim; a token without it is refused (no OIDC_DEFAULT_TENANT here).
    const token = issuer.token({ sub: 'gina@globex.example', arca_role: 'auditor', arca_tenant: B });
    expect((await api<{ tenant: string }>(stack.platform, 'GET', '/whoami', undefined, as(token))).body.tenant).toBe(B);
    const claimless = await api<{ message: string }>(stack.platform, 'GET', '/whoami', undefined, as(issuer.token({ arca_tenant: undefined })));
    expect(claimless.status).toBe(401);
    expect(claimless.body.message).toMatch(/no tenant claim arca_tenant/);
  });

  it("tenant A backs up; tenant B gets 404 for every one of A's objects, exactly as for an id that exists nowhere, and lists omit them", async () => {
    dir = source();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'ledger.txt'), LEDGER);
    const policy = await api<{ id: string }>(stack.platform, 'POST', '/policies', {
      name: 'nightly', source: { kind: 'directory', path: dir }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 5 },
    }, as(keys[A].operator));
    expect(policy.status).toBe(201);
    a.policyId = policy.body.id;
    // B may use the same policy name: names are unique within a tenant.
    expect((await api(stack.platform, 'POST', '/policies', {
      name: 'nightly', source: { kind: 'directory', path: '/srv/globex' }, schedule: { cron: '0 4 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 1 },
    }, as(keys[B].operator))).status).toBe(201);
    const job = await until(async () => {
      const run = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', { policyId: a.policyId }, as(keys[A].operator));
      return run.status === 202 && run.body; // the scheduler hears of the policy a moment after it is made
    }, 'the scheduler to know the policy');
    const done = await finished(keys[A].operator, job.jobId);
    expect(done).toMatchObject({ status: 'completed' });
    a.jobId = job.jobId;
    a.snapshotId = done.snapshotId!;
    const hook = await api<{ id: string }>(stack.platform, 'POST', '/webhooks', { url: `${receiverUrl}/acme`, events: ['backup.failed'] }, as(keys[A].admin));
    expect(hook.status).toBe(201);
    a.webhookId = hook.body.id;

    const b = as(keys[B].operator);
    const bAdmin = as(keys[B].admin);
    const snap = a.snapshotId;
    const guessedSnapshot = 'f'.repeat(64);
    const tries: Array<[string, string, string, unknown, Record<string, string>, string]> = [
      // what, method, A's object, body, as whom, the same route with an id nobody has
      ['read a policy', 'GET', `/policies/${a.policyId}`, undefined, b, `/policies/${randomUUID()}`],
      ['change a policy', 'PUT', `/policies/${a.policyId}`, { name: 'x', source: { kind: 'directory', path: '/x' }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 60, retention: { keepLast: 1 } }, b, `/policies/${randomUUID()}`],
      ['delete a policy', 'DELETE', `/policies/${a.policyId}`, undefined, b, `/policies/${randomUUID()}`],
      ['preview retention', 'GET', `/policies/${a.policyId}/retention/preview`, undefined, b, `/policies/${randomUUID()}/retention/preview`],
      ['forget', 'POST', `/policies/${a.policyId}/forget`, {}, b, `/policies/${randomUUID()}/forget`],
      ['run a policy', 'POST', '/jobs', { policyId: a.policyId }, b, '/jobs'],
      ['read a job', 'GET', `/jobs/${a.jobId}`, undefined, b, `/jobs/${randomUUID()}`],
      ['read a snapshot', 'GET', `/snapshots/${snap}`, undefined, b, `/snapshots/${guessedSnapshot}`],
      ['guess a snapshot by prefix', 'GET', `/snapshots/${snap.slice(0, 6)}`, undefined, b, `/snapshots/${guessedSnapshot.slice(0, 6)}`],
      ['list a snapshot', 'GET', `/snapshots/${snap}/tree?path=/`, undefined, b, `/snapshots/${guessedSnapshot}/tree?path=/`],
      ['download a file', 'GET', `/snapshots/${snap}/file?path=/ledger.txt`, undefined, b, `/snapshots/${guessedSnapshot}/file?path=/ledger.txt`],
      ['restore', 'POST', `/snapshots/${snap}/restore`, { target: stack.tempDir('stolen') }, b, `/snapshots/${guessedSnapshot}/restore`],
      ['hold', 'POST', `/snapshots/${snap}/hold`, { reason: 'mine now' }, b, `/snapshots/${guessedSnapshot}/hold`],
      ['release a hold', 'DELETE', `/snapshots/${snap}/hold`, { reason: 'mine now' }, b, `/snapshots/${guessedSnapshot}/hold`],
      ['revoke a key', 'DELETE', `/keys/${keys[A].adminId}`, undefined, bAdmin, `/keys/${randomUUID()}`],
      ['rotate a key', 'POST', `/keys/${keys[A].adminId}/rotate`, undefined, bAdmin, `/keys/${randomUUID()}/rotate`],
      ["read a webhook's deliveries", 'GET', `/webhooks/${a.webhookId}/deliveries`, undefined, b, `/webhooks/${randomUUID()}/deliveries`],
      ['test a webhook', 'POST', `/webhooks/${a.webhookId}/test`, undefined, bAdmin, `/webhooks/${randomUUID()}/test`],
      ['delete a webhook', 'DELETE', `/webhooks/${a.webhookId}`, undefined, bAdmin, `/webhooks/${randomUUID()}`],
    ];
    const answers: string[] = [];
    for (const [what, method, target, body, who, guessed] of tries) {
      const theirs = await api(stack.platform, method, target, body, who);
      const nobodys = await api(stack.platform, method, guessed, method === 'POST' && target === '/jobs' ? { policyId: randomUUID() } : body, who);
      answers.push(`${what}: ${theirs.status} (an unknown id: ${nobodys.status})`);
    }
    expect(answers).toEqual(tries.map(([what]) => `${what}: 404 (an unknown id: 404)`));

    // Lists leave A's objects out; A still has all of them, untouched.
    const names = async (route: string, key: string, field: string) => ((await api<Array<Record<string, unknown>>>(stack.platform, 'GET', route, undefined, as(key))).body).map((x) => x[field]);
    expect(await names('/policies', keys[B].operator, 'id')).not.toContain(a.policyId);
    expect(await names('/jobs', keys[B].operator, 'jobId')).not.toContain(a.jobId);
    expect(await names('/snapshots', keys[B].auditor, 'id')).toEqual([]);
    expect(await names(`/files/versions?sourcePath=${encodeURIComponent(dir)}&path=/ledger.txt`, keys[B].operator, 'snapshotId')).toEqual([]);
    expect(await names('/keys', keys[B].admin, 'tenant')).toEqual([B, B, B]);
    expect(await names('/webhooks', keys[B].operator, 'id')).toEqual([]);
    expect(await names('/policies', keys[A].auditor, 'id')).toEqual([a.policyId]);
    expect(await names('/snapshots', keys[A].auditor, 'id')).toEqual([a.snapshotId]);
    expect(await names('/webhooks', keys[A].auditor, 'id')).toEqual([a.webhookId]);
    expect((await api(stack.platform, 'GET', `/snapshots/${snap}/file?path=/ledger.txt`, undefined, as(keys[A].operator))).body).toBe(LEDGER);
    expect((await api(stack.platform, 'GET', `/keys`, undefined, as(keys[A].admin))).body).toHaveLength(3);
    // What B was refused, A may do with its own.
    const plan = await api<{ keep: Array<{ snapshotId: string }> }>(stack.platform, 'POST', `/policies/${a.policyId}/forget`, { dryRun: true }, as(keys[A].operator));
    expect(plan.body.keep.map((k) => k.snapshotId)).toEqual([snap]);
    expect((await api(stack.platform, 'POST', `/snapshots/${snap.slice(0, 8)}/hold`, { reason: 'audit 2026' }, as(keys[A].operator))).status).toBe(200);
    expect((await api(stack.platform, 'DELETE', `/snapshots/${snap}/hold`, { reason: 'audit done' }, as(keys[A].operator))).status).toBe(200);
  });

  it('keeps repository-wide operations (prune, check, the passphrase, the key slots, recovery) with the default tenant', async () => {
    for (const [method, route, body, key] of [
      ['POST', '/prune', { dryRun: true }, keys[B].operator],
      ['POST', '/check', { percent: 1 }, keys[B].admin],
      ['POST', '/repository/passphrase', { oldPassphrase: 'x', newPassphrase: 'y'.repeat(12) }, keys[B].admin],
      ['GET', '/repository/key-slots', undefined, keys[B].admin],
      ['POST', '/repository/key-slots', { label: 'b-admin', kind: 'passphrase', passphrase: 'y'.repeat(12) }, keys[B].admin],
      ['DELETE', '/repository/key-slots/passphrase', undefined, keys[B].admin],
      ['POST', '/repository/recover', { merge: true }, keys[B].admin],
    ] as const) {
      const answer = await api<{ message: string }>(stack.platform, method, route, body, as(key));
      expect(answer.status, route).toBe(403);
      expect(answer.body.message).toMatch(/acts on the whole repository: only the default tenant may call it/);
    }
    expect((await api(stack.platform, 'POST', '/prune', { dryRun: true })).status).toBe(202);
  });

  it("reports, usage and webhook deliveries are per tenant: B's backup of the same file counts for B alone, and B's failure reaches no A subscriber", async () => {
    const figures = ({ jobs, storage, usage }: Summary) => ({ jobs, storage, usage });
    const before = figures(await until(async () => {
      const s = await summary(keys[A].auditor);
      return s.jobs.completed === 1 && s.usage.repository.snapshots === 1 && s;
    }, "A's backup in A's reports"));
    expect(before.jobs.total).toBe(1);
    expect(before.usage.repository.bytesStored).toBeGreaterThan(0);
    expect(await summary(keys[B].auditor)).toMatchObject({ jobs: { total: 0 }, storage: { bytesStored: 0 }, usage: { repository: { packs: 0, bytesStored: 0, snapshots: 0 } } });

    // Dedupe stays within a tenant: B's backup of A's very file stores its bytes again (B's chunk ids
    // are under B's own key), while A's backup of a copy of it elsewhere stores nothing new.
    const bJob = await backUp(keys[B].operator, { source: { kind: 'directory', path: dir } });
    expect(bJob.status).toBe('completed');
    expect(bJob.stats!.bytesNew).toBeGreaterThanOrEqual(LEDGER.length);
    const copy = path.join(stack.tempDir('tenant-copy'), 'copy');
    mkdirSync(copy);
    writeFileSync(path.join(copy, 'ledger-copy.txt'), LEDGER);
    const aCopy = await backUp(keys[A].operator, { source: { kind: 'directory', path: copy } });
    expect(aCopy.status).toBe('completed');
    expect(aCopy.stats!.bytesRead).toBeGreaterThanOrEqual(LEDGER.length);
    expect(aCopy.stats!.bytesNew).toBeLessThan(LEDGER.length / 10); // the file's chunks: A's already
    const bSummary = await until(async () => {
      const s = await summary(keys[B].auditor);
      return s.jobs.completed === 1 && s.usage.repository.snapshots === 1 && s;
    }, "B's backup in B's reports");
    expect(bSummary.storage.bytesStored).toBe(bJob.stats!.bytesStored);
    const after = figures(await until(async () => {
      const s = await summary(keys[A].auditor);
      return s.jobs.completed === 2 && s.usage.repository.snapshots === 2 && s;
    }, "A's second backup in A's reports"));
    expect(after.storage.bytesRead).toBe(before.storage.bytesRead + aCopy.stats!.bytesRead); // B's bytes are not A's
    expect(after.storage.bytesStored).toBe(before.storage.bytesStored + aCopy.stats!.bytesStored);
    const aHistory = (await api<{ backups: Array<{ jobId: string }> }>(stack.platform, 'GET', '/reports/history', undefined, as(keys[A].auditor))).body;
    expect(aHistory.backups.map((x) => x.jobId)).toEqual([a.jobId, aCopy.jobId]);

    const bFailed = await backUp(keys[B].operator, { source: { kind: 'directory', path: '/nonexistent/globex' } });
    const aFailed = await backUp(keys[A].operator, { source: { kind: 'directory', path: '/nonexistent/acme' } });
    expect([bFailed.status, aFailed.status]).toEqual(['failed', 'failed']);
    const deliveries = await until(async () => {
      const r = await api<Array<{ eventId: string; status: string; body: string }>>(stack.platform, 'GET', `/webhooks/${a.webhookId}/deliveries`, undefined, as(keys[A].auditor));
      return r.body.some((d) => d.status === 'delivered') && r.body;
    }, "A's failure delivered to A's subscriber");
    expect(deliveries.map((d) => JSON.parse(d.body).data.jobId)).toEqual([aFailed.jobId]);
    expect(received.map((r) => JSON.parse(r.body).data.jobId)).not.toContain(bFailed.jobId);
  });

  it("keeps an audit chain per tenant: A's auditor sees A's entries only, B's refused attempts are in B's log, and each chain verifies", async () => {
    type Entry = { seq: number; action: string; target: string; principal: { tenant?: string } | null };
    const exported = async (key: string) => (await api<Entry[]>(stack.platform, 'GET', '/audit/export?format=json', undefined, as(key))).body;
    const aLog = await until(async () => {
      const entries = await exported(keys[A].auditor);
      return entries.some((e) => e.action === 'webhook.create') && entries;
    }, "A's webhook in A's audit log");
    expect(aLog.map((e) => e.seq)).toEqual(aLog.map((_, i) => i + 1));
    expect(new Set(aLog.map((e) => e.principal?.tenant))).toEqual(new Set([A]));
    expect(aLog.map((e) => e.action)).toEqual(expect.arrayContaining(['policy.create', 'backup.run', 'webhook.create']));
    const bLog = await exported(keys[B].auditor);
    expect(new Set(bLog.map((e) => e.principal?.tenant))).toEqual(new Set([B]));
    expect(bLog.some((e) => e.action === 'auth.refused' && e.target === '/prune')).toBe(true);
    const installation = await exported(stack.platform.adminKey);
    expect(installation.some((e) => e.action === 'key.create')).toBe(true);
    expect(installation.filter((e) => e.principal && e.principal.tenant !== 'default')).toEqual([]);

    const newestIds = async (key: string) => (await api<Entry[]>(stack.platform, 'GET', '/audit?limit=1000', undefined, as(key))).body.map((e) => e.seq);
    expect(await newestIds(keys[A].auditor)).toEqual(aLog.map((e) => e.seq).reverse().slice(0, (await newestIds(keys[A].auditor)).length));
    for (const key of [keys[A].auditor, keys[B].auditor, stack.platform.adminKey]) {
      const verified = await api<{ valid: boolean; entries: number }>(stack.platform, 'GET', '/audit/verify', undefined, as(key));
      expect(verified.body).toMatchObject({ valid: true });
      expect(verified.body.entries).toBeGreaterThan(0);
    }
  });

  it("reads every tenant's chunks under its own key in a repository-wide check and prune: nothing is damaged and both tenants still restore", async () => {
    const check = await api<{ jobId: string }>(stack.platform, 'POST', '/check', { percent: 100 });
    expect(check.status).toBe(202);
    const checked = await finished(stack.platform.adminKey, check.body.jobId);
    expect(checked.status).toBe('completed');
    expect(checked.stats!.damaged).toEqual([]);
    const prune = await api<{ jobId: string }>(stack.platform, 'POST', '/prune', { maxUnusedPercent: 0 });
    expect((await finished(stack.platform.adminKey, prune.body.jobId)).status).toBe('completed');
    const bSnapshot = (await api<Array<{ id: string }>>(stack.platform, 'GET', '/snapshots', undefined, as(keys[B].operator))).body[0].id;
    for (const [key, snapshot] of [[keys[A].operator, a.snapshotId!], [keys[B].operator, bSnapshot]]) {
      const download = await api(stack.platform, 'GET', `/snapshots/${snapshot}/file?path=/ledger.txt`, undefined, as(key));
      expect(download.status).toBe(200);
      expect(download.body).toBe(LEDGER);
      const target = path.join(stack.tempDir('tenant-restore'), 'out');
      const restore = await api<{ jobId: string }>(stack.platform, 'POST', `/snapshots/${snapshot}/restore`, { target }, as(key));
      expect(restore.status).toBe(202);
      expect((await finished(key, restore.body.jobId)).status).toBe('completed');
      expect(readFileSync(path.join(target, 'ledger.txt'), 'utf8')).toBe(LEDGER);
    }
  });
});
