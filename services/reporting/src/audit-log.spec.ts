import { AuditRecorded, EventEnvelope } from '@arca/contracts';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntryEntity } from './entities/audit-entry.entity';
import { JobViewEntity } from './entities/job-view.entity';
import { PolicyViewEntity } from './entities/policy-view.entity';
import { ReplicationViewEntity } from './entities/replication-view.entity';
import { ReadModels1764000000000 } from './migrations/1764000000000-read-models';
import { AuditChain1765000000000 } from './migrations/1765000000000-audit-chain';
import { Webhooks1765000000100 } from './migrations/1765000000100-webhooks';
import { RpoWatch1766000000000 } from './migrations/1766000000000-rpo-watch';
import { ReportingTenants1768000000000 } from './migrations/1768000000000-reporting-tenants';
import { ReadModelsService } from './read-models.service';
import { ReportingMetrics } from './reporting-metrics.service';
import { WebhooksService } from './webhooks/webhooks.service';

const test = createTestSchema('reporting_audit');
const entities = [JobViewEntity, AuditEntryEntity, PolicyViewEntity, ReplicationViewEntity];
let dataSource: DataSource;
let readModels: ReadModelsService;

function event(action: string, at: number, extra: Partial<AuditRecorded> = {}, tenant?: string): EventEnvelope<AuditRecorded> {
  return { eventId: randomUUID(), type: 'audit.recorded', version: 1, occurredAt: new Date(at).toISOString(), ...(tenant ? { tenant } : {}), payload: { actor: 'key:ops', action, target: 't', details: { n: at }, ...extra } };
}

describe('the audit log in Postgres', () => {
  beforeAll(async () => {
    // A log recorded before the chain existed: the migration chains it in time order.
    const before = await createServiceDataSource({ url: testDatabaseUrl(), schema: test.schema, entities: [], migrations: [ReadModels1764000000000] });
    for (const at of [3000, 1000, 2000]) {
      await before.query(`INSERT INTO "${test.schema}".audit_log (event_id, time, actor, action, target, details) VALUES ($1, $2, 'ops', 'policy.create', 'p', '{"b":1,"a":2}')`, [randomUUID(), new Date(at)]);
    }
    await before.destroy();
    dataSource = await createServiceDataSource({ url: testDatabaseUrl(), schema: test.schema, entities, migrations: [ReadModels1764000000000, AuditChain1765000000000, Webhooks1765000000100, RpoWatch1766000000000, ReportingTenants1768000000000], poolSize: 2 });
    readModels = new ReadModelsService(dataSource, new WebhooksService(dataSource), new ReportingMetrics(dataSource));
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await test.drop();
  });

  it('chains the entries recorded before the migration, then appends each new event once, with its principal, request and trace', async () => {
    const migrated = await readModels.audit('default', 10);
    expect(migrated.map((e) => [e.seq, e.time.getTime()])).toEqual([[3, 3000], [2, 2000], [1, 1000]]);
    const appended = event('key.create', 4000, { principal: { type: 'api-key', id: 'k1', name: 'ops', roles: ['admin'] }, requestId: 'req-1', traceId: 'a'.repeat(32) });
    await Promise.all([readModels.applyAudit(appended), readModels.applyAudit(appended), readModels.applyAudit(event('auth.failed', 4001))]);
    const entries = await readModels.audit('default', 10);
    expect(entries.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(entries.find((e) => e.eventId === appended.eventId)).toMatchObject({ principal: { type: 'api-key', id: 'k1', roles: ['admin'] }, requestId: 'req-1', traceId: 'a'.repeat(32) });
    expect(await readModels.verifyAudit('default')).toEqual({ valid: true, entries: 5, head: { seq: 5, hash: entries[0].hash } });
  });

  it("keeps a chain per tenant: a tenant's entries are numbered from 1 and verified apart, and the chain from before tenants is default's", async () => {
    for (const at of [5000, 5001, 5002]) await readModels.applyAudit(event('policy.create', at, {}, 'acme'));
    const acme = await readModels.audit('acme', 10);
    expect(acme.map((e) => [e.seq, e.tenant])).toEqual([[3, 'acme'], [2, 'acme'], [1, 'acme']]);
    expect(acme[2].prevHash).toBe('0'.repeat(64));
    expect((await readModels.audit('default', 10)).map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(await readModels.verifyAudit('acme')).toEqual({ valid: true, entries: 3, head: { seq: 3, hash: acme[0].hash } });
    expect(await readModels.verifyAudit('default')).toMatchObject({ valid: true, entries: 5 });
    expect(await readModels.verifyAudit('globex')).toEqual({ valid: true, entries: 0 });
  });

  it("breaks both chains when an entry is moved to another tenant's chain", async () => {
    const table = `"${test.schema}".audit_log`;
    await dataSource.query(`ALTER TABLE ${table} DISABLE TRIGGER audit_log_append_only`);
    await dataSource.query(`UPDATE ${table} SET tenant = 'globex' WHERE tenant = 'acme' AND seq = 2`);
    try {
      expect(await readModels.verifyAudit('acme')).toMatchObject({ valid: false, entries: 1, firstBroken: { seq: 3, reason: expect.stringMatching(/entries were removed/) } });
      expect(await readModels.verifyAudit('globex')).toMatchObject({ valid: false, entries: 0, firstBroken: { seq: 2 } });
    } finally {
      await dataSource.query(`UPDATE ${table} SET tenant = 'acme' WHERE tenant = 'globex'`);
      await dataSource.query(`ALTER TABLE ${table} ENABLE TRIGGER audit_log_append_only`);
    }
    expect(await readModels.verifyAudit('acme')).toMatchObject({ valid: true, entries: 3 });
  });

  it('refuses edits, and names the first entry edited behind the trigger', async () => {
    const table = `"${test.schema}".audit_log`;
    await expect(dataSource.query(`UPDATE ${table} SET target = 'x' WHERE seq = 2`)).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(dataSource.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    await dataSource.query(`ALTER TABLE ${table} DISABLE TRIGGER audit_log_append_only`);
    await dataSource.query(`UPDATE ${table} SET details = '{"n": 1}' WHERE seq = 4`);
    await dataSource.query(`ALTER TABLE ${table} ENABLE TRIGGER audit_log_append_only`);
    expect(await readModels.verifyAudit('default')).toMatchObject({ valid: false, entries: 3, firstBroken: { seq: 4, reason: 'its content does not match its hash: the entry was edited' } });
  });
});
