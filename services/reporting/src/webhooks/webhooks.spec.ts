import { Messaging1763999999000, OutboxEntity, ProcessedEventEntity } from '@arca/messaging';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyViewEntity } from '../entities/policy-view.entity';
import { ReadModelsService } from '../read-models.service';
import { ComplianceService } from '../reports/compliance.service';
import { complianceCsv } from '../reports/compliance-export';
import { ReportingMetrics } from '../reporting-metrics.service';
import { DeliveryWorker } from './delivery-worker';
import { verifySignature } from './webhook-signature';
import { WebhooksService } from './webhooks.service';
import { REPORTING_ENTITIES, REPORTING_MIGRATIONS } from '../schema';

const test = createTestSchema('reporting_webhooks');
let dataSource: DataSource;
let webhooks: WebhooksService;
let readModels: ReadModelsService;
let worker: DeliveryWorker;

/** A receiver on loopback that answers the statuses it is given in turn (then 200), recording each request. */
const received: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string; at: number }> = [];
const answers = new Map<string, number[]>();
let receiver: http.Server;
let base = '';

const failedBackup = (jobId = randomUUID()) => ({
  eventId: randomUUID(), type: 'backup.failed', version: 1, occurredAt: new Date().toISOString(), jobId,
  payload: { jobId, reason: 'source /srv/gone does not exist', stage: 'source', source: { kind: 'postgres', connection: 'postgres://app:hunter2@db/shop' } },
});

async function deliverUntil(done: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('deliveries did not settle');
    await worker.deliverDue();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('webhooks', () => {
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        received.push({ path: req.url!, headers: req.headers, body, at: Date.now() });
        res.writeHead(answers.get(req.url!)?.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    dataSource = await createServiceDataSource({
      url: testDatabaseUrl(), schema: test.schema, poolSize: 4,
      entities: [...REPORTING_ENTITIES, OutboxEntity, ProcessedEventEntity],
      migrations: [Messaging1763999999000, ...REPORTING_MIGRATIONS],
    });
    webhooks = new WebhooksService(dataSource);
    readModels = new ReadModelsService(dataSource, webhooks, new ReportingMetrics(dataSource));
    worker = new DeliveryWorker(dataSource, webhooks, { pollMs: 1000, retryBaseMs: 100, maxAttempts: 3, timeoutMs: 1000 });
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await test.drop();
    receiver?.close();
  });

  it('delivers a consumed event once per subscription, signed, retrying with backoff until the receiver answers 2xx', async () => {
    const failures = await webhooks.subscribe({ url: `${base}/failures`, events: ['backup.failed'] }, 'default', 'key:first-admin');
    expect(failures.secret).toMatch(/^whsec_/);
    const other = await webhooks.subscribe({ url: `${base}/completed`, events: ['backup.completed'] }, 'default', 'key:first-admin');
    expect((await webhooks.list('default')).find((s) => s.id === failures.id)).not.toHaveProperty('secret');
    answers.set('/failures', [500, 503]);

    const event = failedBackup();
    await readModels.applyJobEvent(event, 'reporting');
    await readModels.applyJobEvent(event, 'reporting'); // redelivered by Kafka: still one delivery
    await deliverUntil(async () => (await webhooks.deliveries('default', failures.id, 10))[0]?.status === 'delivered');

    const [delivery] = await webhooks.deliveries('default', failures.id, 10);
    expect(delivery).toMatchObject({ event: 'backup.failed', eventId: event.eventId, attempts: 3, lastStatus: 200, lastError: null });
    expect(await webhooks.deliveries('default', other.id, 10)).toEqual([]);
    const requests = received.filter((r) => r.path === '/failures');
    expect(requests).toHaveLength(3);
    for (const r of requests) {
      expect(r.body).toBe(requests[0].body); // the same bytes each time, so receivers can deduplicate
      expect(r.headers['arca-event-id']).toBe(event.eventId);
      expect(verifySignature(failures.secret, String(r.headers['arca-signature']), r.body)).toBe(true);
    }
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(100); // then 200 ms: exponential
    expect(requests[2].at - requests[1].at).toBeGreaterThanOrEqual(200);
    const body = JSON.parse(requests[0].body);
    expect(body).toMatchObject({ id: event.eventId, type: 'backup.failed', data: { jobId: event.jobId, reason: 'source /srv/gone does not exist' } });
    expect(requests[0].body).not.toContain('hunter2');
  });

  it('gives a delivery up after its attempts, and a test delivery goes to one subscription', async () => {
    const dead = await webhooks.subscribe({ url: `${base}/dead`, events: ['backup.failed'] }, 'default', 'key:first-admin');
    answers.set('/dead', [500, 500, 500]);
    await readModels.applyJobEvent(failedBackup(), 'reporting');
    await deliverUntil(async () => (await webhooks.deliveries('default', dead.id, 10))[0]?.status === 'failed');
    expect((await webhooks.deliveries('default', dead.id, 10))[0]).toMatchObject({ attempts: 3, lastStatus: 500, lastError: 'answered 500 Internal Server Error', nextAttemptAt: null });

    const probe = await webhooks.test('default', dead.id);
    expect(probe).toMatchObject({ event: 'webhook.test', status: 'pending' });
    await deliverUntil(async () => (await webhooks.deliveries('default', dead.id, 10)).some((d) => d.event === 'webhook.test' && d.status === 'delivered'));
    await webhooks.remove('default', dead.id);
    await expect(webhooks.deliveries('default', dead.id, 10)).rejects.toThrow(/not found/);
  });

  it('sends each RPO breach the scheduler announces once, with the policy name, and not its restoration', async () => {
    const rpo = await webhooks.subscribe({ url: `${base}/rpo`, events: ['policy.rpo_breached'] }, 'default', 'key:first-admin');
    const policyId = randomUUID();
    await dataSource.getRepository(PolicyViewEntity).insert({ policyId, name: 'nightly', rpoMinutes: 60, deleted: false, lastSuccessAt: null, knownSince: new Date(), rpoBreachedAt: null });
    const breach = { eventId: randomUUID(), type: 'policy.rpo_breached', occurredAt: new Date().toISOString(), payload: { policyId, rpoMinutes: 60, lastSuccessAt: null, detectedAt: new Date().toISOString() } };
    await readModels.applyRpoEvent(breach as never, 'reporting');
    await readModels.applyRpoEvent(breach as never, 'reporting'); // a redelivery: one delivery still
    await readModels.applyRpoEvent({ ...breach, eventId: randomUUID(), type: 'policy.rpo_restored', payload: { policyId, restoredAt: new Date().toISOString() } } as never, 'reporting');
    const deliveries = await webhooks.deliveries('default', rpo.id, 10);
    expect(deliveries.map((d) => d.event)).toEqual(['policy.rpo_breached']);
    expect(JSON.parse(deliveries[0].body).data).toMatchObject({ policyId, name: 'nightly', rpoMinutes: 60 });
    expect((await dataSource.getRepository(PolicyViewEntity).findOneByOrFail({ policyId })).rpoBreachedAt).toBeNull();
  });

  it('keeps each RTO breach the scheduler announces for the compliance report until it is restored, and sends it to policy.rto_breached subscribers once', async () => {
    const rto = await webhooks.subscribe({ url: `${base}/rto`, events: ['policy.rto_breached'] }, 'default', 'key:first-admin');
    const policyId = randomUUID();
    await dataSource.getRepository(PolicyViewEntity).insert({ policyId, name: 'db', rpoMinutes: 60, deleted: false, lastSuccessAt: null, knownSince: new Date('2026-09-01T00:00:00Z'), rpoBreachedAt: null, promised: { schedule: { cron: '0 3 * * *', timezone: 'UTC' }, retention: {}, rtoMinutes: 30 } as never });
    const event = (type: string, at: string, payload: Record<string, unknown>) => ({ eventId: randomUUID(), type, version: 1, occurredAt: at, payload: { policyId, rtoMinutes: 30, snapshotId: 'c'.repeat(64), ...payload } });
    const [first, second, fixedBy] = [randomUUID(), randomUUID(), randomUUID()];
    const breach = event('policy.rto_breached', '2026-09-10T06:00:00.000Z', { jobId: first, measuredMs: 45 * 60_000, detectedAt: '2026-09-10T06:00:00.000Z' });
    await readModels.applyRtoEvent(breach as never, 'reporting');
    await readModels.applyRtoEvent(breach as never, 'reporting'); // a redelivery: one breach, one delivery
    await readModels.applyRtoEvent(event('policy.rto_restored', '2026-09-17T06:00:00.000Z', { jobId: fixedBy, measuredMs: 10 * 60_000, breachedAt: '2026-09-10T06:00:00.000Z', restoredAt: '2026-09-17T06:00:00.000Z' }) as never, 'reporting');
    await readModels.applyRtoEvent(event('policy.rto_breached', '2026-09-24T06:00:00.000Z', { jobId: second, measuredMs: 31 * 60_000, detectedAt: '2026-09-24T06:00:00.000Z' }) as never, 'reporting');
    const deliveries = await webhooks.deliveries('default', rto.id, 10);
    expect(deliveries.map((d) => d.event)).toEqual(['policy.rto_breached', 'policy.rto_breached']);
    expect(JSON.parse(deliveries.find((d) => JSON.parse(d.body).data.jobId === first)!.body).data).toMatchObject({ policyId, name: 'db', rtoMinutes: 30, measuredMs: 45 * 60_000 });

    const compliance = new ComplianceService(dataSource);
    const report = async (from: string, to: string) => (await compliance.compliance('default', { from: new Date(from), to: new Date(to) }, policyId, new Date('2026-10-01T00:00:00Z'))).policies[0];
    const september = await report('2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z');
    expect(september.rto.breaches).toEqual([
      { at: new Date('2026-09-10T06:00:00.000Z'), jobId: first, snapshotId: 'c'.repeat(64), targetMinutes: 30, measuredMinutes: 45, restoredAt: new Date('2026-09-17T06:00:00.000Z') },
      { at: new Date('2026-09-24T06:00:00.000Z'), jobId: second, snapshotId: 'c'.repeat(64), targetMinutes: 30, measuredMinutes: 31, restoredAt: null },
    ]);
    // A period that ends before the restoration shows the breach standing; one before it, none.
    expect((await report('2026-09-01T00:00:00Z', '2026-09-15T00:00:00Z')).rto.breaches).toMatchObject([{ jobId: first, restoredAt: null }]);
    expect((await report('2026-08-01T00:00:00Z', '2026-09-01T00:00:00Z')).rto.breaches).toEqual([]);
    const csv = complianceCsv({ tenant: 'default', from: new Date('2026-09-01T00:00:00Z'), to: new Date('2026-10-01T00:00:00Z'), generatedAt: new Date(), policies: [september], lastCleanCheck: null });
    const [header, row] = csv.trim().split('\r\n');
    const cells = header.split(',');
    expect(row).toContain(',2,"2026-09-10T06:00:00.000Z: 45 min against 30 (test restore');
    expect(cells.slice(cells.indexOf('rto_breaches'), cells.indexOf('rto_breaches') + 2)).toEqual(['rto_breaches', 'rto_breach_detail']);
  });
});
