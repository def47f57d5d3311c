import { testDatabaseUrl } from '@arca/persistence';
import { createHash, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIssuer, TestIssuer } from '../../services/gateway/src/testing/oidc-issuer';
import { arca, arcaStatus } from './support/cli';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * Who may call what, through the real platform, with an OIDC issuer of the test's own on
 * loopback. The failure limit is high here: the role table makes many refused calls on purpose
 * (the limit itself is tested in services/gateway/src/auth/access.guard.spec.ts).
 */
let issuer: TestIssuer;
beforeAll(async () => { issuer = await startTestIssuer('arca-e2e'); });
afterAll(() => issuer?.close());
const stack = usePlatform(() => ({ OIDC_ISSUER: issuer.issuer, OIDC_AUDIENCE: 'arca-e2e', OIDC_JWKS_URL: issuer.jwksUrl, ARCA_AUTH_FAILURE_LIMIT: '100000' }));

const ADMIN = ['admin'];
const OPERATE = ['admin', 'operator'];
const READ = ['admin', 'operator', 'auditor'];
const AUDIT = ['admin', 'auditor'];

/** Every route of the OpenAPI document and who may call it. A route missing here fails the test below. */
const ROUTES: Record<string, 'public' | string[]> = {
  'GET /health': 'public', 'GET /auth/console': 'public',
  'POST /policies': OPERATE, 'GET /policies': READ, 'GET /policies/{id}': READ, 'PUT /policies/{id}': OPERATE, 'DELETE /policies/{id}': OPERATE,
  'POST /jobs': OPERATE, 'GET /jobs': READ, 'GET /jobs/{id}': READ,
  'GET /snapshots': READ, 'GET /snapshots/{id}': READ, 'GET /snapshots/{id}/tree': READ, 'GET /files/versions': READ,
  'GET /snapshots/{id}/file': OPERATE, 'POST /snapshots/{id}/restore': OPERATE,
  'POST /check': OPERATE, 'POST /streams': OPERATE, 'POST /repository/passphrase': ADMIN, 'POST /repository/recover': ADMIN, 'POST /policies/{id}/verify-restore': OPERATE,
  'GET /repository/key-slots': ADMIN, 'POST /repository/key-slots': ADMIN, 'DELETE /repository/key-slots/{slot}': ADMIN,
  'GET /repository/keys': ADMIN, 'POST /repository/key-rotation': ADMIN,
  'GET /reports/summary': READ, 'GET /reports/history': READ, 'GET /reports/compliance': READ, 'GET /reports/jobs-daily': READ, 'GET /reports/storage-forecast': READ, 'GET /reports/storage-daily': READ, 'GET /reports/replication-lag-daily': READ, 'GET /whoami': READ,
  'GET /quotas': READ, 'PUT /quotas/sites/{site}': ADMIN, 'PUT /quotas/tenants/{tenant}': ADMIN, 'DELETE /quotas/sites/{site}': ADMIN, 'DELETE /quotas/tenants/{tenant}': ADMIN,
  'GET /audit': AUDIT, 'GET /audit/verify': AUDIT, 'GET /audit/export': AUDIT,
  'POST /keys': ADMIN, 'GET /keys': ADMIN, 'DELETE /keys/{id}': ADMIN, 'POST /keys/{id}/rotate': ADMIN,
  'POST /webhooks': ADMIN, 'GET /webhooks': READ, 'DELETE /webhooks/{id}': ADMIN, 'GET /webhooks/{id}/deliveries': READ, 'POST /webhooks/{id}/test': ADMIN,
  'POST /policies/{id}/forget': OPERATE, 'GET /policies/{id}/retention/preview': READ,
  'POST /snapshots/{id}/hold': OPERATE, 'DELETE /snapshots/{id}/hold': OPERATE, 'POST /prune': OPERATE,
  'GET /events/asyncapi.json': READ, 'GET /events/schemas': READ, 'GET /events/schemas/{topic}/{version}': READ,
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
const NO_CREDENTIALS = { authorization: '' };

async function createKey(name: string, role: string): Promise<string> {
  const created = await api<{ key: string }>(stack.platform, 'POST', '/keys', { name, role });
  expect(created.status).toBe(201);
  return created.body.key;
}

async function exportedAudit(): Promise<Array<{ seq: number; actor: string; action: string; target: string; details: Record<string, unknown>; principal: Record<string, unknown> | null }>> {
  return (await api<never>(stack.platform, 'GET', '/audit/export?format=json')).body;
}

describe('access control through the real platform', () => {
  it('writes the first admin key once, mode 0600; without a key a route answers 401, with it 200; health, metrics and the console stay open', async () => {
    const { adminKey, adminKeyFile } = stack.platform;
    expect(adminKey).toMatch(/^arca_[A-Za-z0-9_-]{43}$/);
    expect(statSync(adminKeyFile).mode & 0o777).toBe(0o600);
    expect((await api(stack.platform, 'GET', '/snapshots', undefined, NO_CREDENTIALS)).status).toBe(401);
    expect((await api(stack.platform, 'GET', '/snapshots')).status).toBe(200);
    expect((await api(stack.platform, 'GET', '/snapshots', undefined, { 'x-api-key': adminKey })).status).toBe(200);
    expect((await api(stack.platform, 'GET', '/snapshots', undefined, bearer(`arca_${'x'.repeat(43)}`))).status).toBe(401);
    expect((await api(stack.platform, 'GET', '/api/openapi.json', undefined, NO_CREDENTIALS)).status).toBe(401);
    for (const open of ['/health', '/metrics', '/']) expect((await fetch(stack.platform.gatewayUrl + open)).status, open).toBe(200);
  });

  it('answers every route of the OpenAPI document, for every role and without credentials, as the table says', async () => {
    const credentials: Record<string, Record<string, string> | undefined> = {
      none: NO_CREDENTIALS,
      admin: { 'x-api-key': stack.platform.adminKey },
      operator: bearer(await createKey('table-operator', 'operator')),
      auditor: bearer(await createKey('table-auditor', 'auditor')),
      'auditor (OIDC)': bearer(issuer.token({ sub: 'table-auditor@example.com', arca_role: 'auditor' }, { alg: 'ES256' })),
    };
    const document = (await api<{ paths: Record<string, Record<string, unknown>> }>(stack.platform, 'GET', '/api/openapi.json')).body;
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.filter((route) => !(route in ROUTES)), 'routes without a row in the table').toEqual([]);
    expect(Object.keys(ROUTES).filter((route) => !documented.includes(route)), 'rows for routes that are gone').toEqual([]);

    const mismatches: string[] = [];
    for (const route of documented) {
      const [method, template] = route.split(' ');
      // Ids that exist nowhere, bodies that fail validation: an admitted call changes nothing.
      const path = template.replace(/\{[^}]+\}/g, () => randomUUID());
      const body = method === 'POST' || method === 'PUT' ? { notAField: true } : undefined;
      for (const [who, headers] of Object.entries(credentials)) {
        const { status } = await api(stack.platform, method, path, body, headers);
        const access = ROUTES[route];
        const role = who.replace(/ \(OIDC\)$/, '');
        const expected = access === 'public' ? 'admitted' : who === 'none' ? '401' : access.includes(role) ? 'admitted' : '403';
        const got = status === 401 || status === 403 ? String(status) : status === 429 ? '429' : 'admitted';
        if (got !== expected) mismatches.push(`${route} as ${who}: expected ${expected}, got ${status}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('creates, lists, rotates and revokes keys with the CLI, storing only their SHA-256', async () => {
    const url = stack.platform.gatewayUrl;
    const created = JSON.parse((await arca(url, ['keys', 'create', 'ops', '--role', 'operator', '--json'])).stdout) as { id: string; key: string };
    expect((await api(stack.platform, 'GET', '/policies', undefined, bearer(created.key))).status).toBe(200);
    expect((await api(stack.platform, 'GET', '/keys', undefined, bearer(created.key))).status).toBe(403); // keys are for admins

    const listed = JSON.parse((await arca(url, ['keys', 'list', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(listed.find((k) => k.id === created.id)).toMatchObject({ name: 'ops', role: 'operator', prefix: created.key.slice(0, 12), revokedAt: null });
    expect(JSON.stringify(listed)).not.toMatch(/arca_[A-Za-z0-9_-]{43}|secretHash/);
    const database = new Client({ connectionString: testDatabaseUrl() });
    await database.connect();
    try {
      const rows = (await database.query(`SELECT * FROM "${stack.platform.schemaPrefix}_gateway".api_keys WHERE id = $1`, [created.id])).rows;
      expect(rows).toHaveLength(1);
      expect(rows[0].secret_hash).toBe(sha256(created.key));
      expect(JSON.stringify(rows[0])).not.toContain(created.key);
    } finally {
      await database.end();
    }

    const rotated = (await arca(url, ['keys', 'rotate', 'ops'])).stdout.trim();
    expect(rotated).toMatch(/^arca_/);
    expect((await api(stack.platform, 'GET', '/policies', undefined, bearer(created.key))).status).toBe(401);
    expect((await api(stack.platform, 'GET', '/policies', undefined, bearer(rotated))).status).toBe(200);
    expect((await arca(url, ['keys', 'revoke', 'ops'])).stdout).toMatch(/^revoked key ops/);
    expect((await api(stack.platform, 'GET', '/policies', undefined, bearer(rotated))).status).toBe(401);
    const refused = await arcaStatus(url, ['snapshots'], undefined, { ARCA_API_KEY: rotated });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/unknown, malformed or revoked API key \(check ARCA_API_KEY\)/);
  });

  it('admits OIDC tokens by their role claim, and refuses expired, foreign, forged and role-less ones', async () => {
    const operator = issuer.token({ sub: 'olga@example.com', arca_role: 'operator' });
    const created = await api<{ id: string }>(stack.platform, 'POST', '/policies', {
      name: 'oidc-made', source: { kind: 'directory', path: '/srv/oidc' }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 3 },
    }, bearer(operator));
    expect(created.status).toBe(201);
    expect((await api(stack.platform, 'GET', '/audit', undefined, bearer(operator))).status).toBe(403);
    const now = Math.floor(Date.now() / 1000);
    for (const [what, token] of [
      ['expired', issuer.token({ exp: now - 300 })],
      ['another audience', issuer.token({ aud: 'someone-else' })],
      ['another issuer', issuer.token({ iss: 'https://evil.example.com' })],
      ['no role', issuer.token({ arca_role: undefined })],
      ['forged', issuer.token({}).replace(/\.[^.]+$/, `.${Buffer.alloc(256, 7).toString('base64url')}`)],
    ]) {
      const answer = await api<{ message: string }>(stack.platform, 'GET', '/policies', undefined, bearer(token));
      expect(answer.status, what).toBe(401);
      expect(answer.body.message, what).toMatch(/^token refused: /);
    }
    const entry = await until(async () => (await exportedAudit()).find((e) => e.action === 'policy.create' && e.target === created.body.id), 'the policy.create audit entry');
    expect(entry).toMatchObject({ actor: 'oidc:olga@example.com', principal: { type: 'oidc', id: 'olga@example.com', roles: ['operator'] } });
  });

  it('audits failed logins, refusals and key changes under the principal, in a hash chain that an edited row breaks', async () => {
    const entries = await until(async () => {
      const all = await exportedAudit();
      return all.some((e) => e.action === 'key.revoke') && all;
    }, 'the key revocation in the audit log');
    expect(entries.find((e) => e.action === 'auth.failed')).toMatchObject({ actor: 'anonymous', principal: null, details: { address: expect.any(String), reason: expect.any(String) } });
    expect(entries.find((e) => e.action === 'auth.refused')).toMatchObject({ details: { reason: expect.stringMatching(/may not/) } });
    expect(entries.find((e) => e.action === 'key.create' && e.details.name === 'ops')).toMatchObject({ actor: 'key:first-admin', principal: { type: 'api-key', roles: ['admin'] } });
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));

    const verified = await api<{ valid: boolean; entries: number; head: { seq: number } }>(stack.platform, 'GET', '/audit/verify');
    expect(verified.body).toMatchObject({ valid: true, head: { seq: verified.body.entries } });
    expect(verified.body.entries).toBeGreaterThanOrEqual(entries.length);
    expect((await arca(stack.platform.gatewayUrl, ['audit', 'verify'])).stdout).toMatch(/^the audit chain is intact/);
    const csv = (await arca(stack.platform.gatewayUrl, ['audit', 'export', '--format', 'csv'])).stdout.trim().split('\r\n');
    expect(csv[0]).toBe('seq,time,actor,action,target,principal_type,principal_id,roles,request_id,trace_id,details,prev_hash,hash');
    expect(csv.length).toBeGreaterThan(entries.length);

    // Postgres refuses edits (a trigger); someone who can disable it edits entry 3 behind the log's back.
    const database = new Client({ connectionString: testDatabaseUrl() });
    await database.connect();
    const table = `"${stack.platform.schemaPrefix}_reporting".audit_log`;
    try {
      await expect(database.query(`UPDATE ${table} SET actor = 'nobody' WHERE seq = 3`)).rejects.toThrow(/append-only/);
      await expect(database.query(`DELETE FROM ${table} WHERE seq = 3`)).rejects.toThrow(/append-only/);
      await database.query(`ALTER TABLE ${table} DISABLE TRIGGER audit_log_append_only`);
      await database.query(`UPDATE ${table} SET actor = 'nobody' WHERE seq = 3`);
      await database.query(`ALTER TABLE ${table} ENABLE TRIGGER audit_log_append_only`);
    } finally {
      await database.end();
    }
    const broken = await api<{ valid: boolean; entries: number; firstBroken: { seq: number; reason: string } }>(stack.platform, 'GET', '/audit/verify');
    expect(broken.body).toMatchObject({ valid: false, entries: 2, firstBroken: { seq: 3, reason: expect.stringMatching(/edited/) } });
    const cli = await arcaStatus(stack.platform.gatewayUrl, ['audit', 'verify']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/the audit chain is broken at entry #3 .*the entry was edited/);
  });
});
