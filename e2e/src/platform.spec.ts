import { createEvent, DLQ_HEADERS, TOPICS } from '@arca/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

const stack = usePlatform();

const policy = (name: string) => ({
  name,
  source: { kind: 'directory', path: '/srv/e2e' },
  schedule: { cron: '0 3 * * *', timezone: 'Europe/Paris' },
  backupWindow: { start: '01:00', end: '05:00' },
  rpoMinutes: 1440,
  retention: { keepLast: 3, keepDaily: 7, keepWeekly: 4 },
});

describe('the platform on embedded defaults', () => {
  it('reports all eight services up on the gateway /health', async () => {
    const { status, body } = await api<{ status: string; details: Record<string, { status: string }> }>(stack.platform, 'GET', '/health');
    expect(status).toBe(200);
    for (const service of ['gateway', 'policy', 'scheduler', 'ingest', 'dedupe-index', 'storage', 'replication', 'reporting']) {
      expect(body.details[service]?.status, service).toBe('up');
    }
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    const metrics = await fetch(`${stack.platform.gatewayUrl}/metrics`);
    expect(await metrics.text()).toContain('arca_http_request_duration_seconds');
    const openapi = await api<{ paths: Record<string, unknown> }>(stack.platform, 'GET', '/api/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/policies', '/jobs', '/snapshots/{id}/restore']));
  });

  it('carries a policy over Kafka to the scheduler and reporting, and back through the gateway', async () => {
    // A name the client chooses is not what the audit log records: the authenticated key is.
    const created = await api<{ id: string; version: number }>(stack.platform, 'POST', '/policies', policy('e2e-docs'), { 'x-arca-actor': 'mallory', 'x-request-id': 'e2e-create-docs' });
    expect(created.status).toBe(201);
    expect(created.body.version).toBe(1);

    // The scheduler learns of the policy from policy.changed; a manual run through the gateway proves it.
    const run = await until(async () => {
      const r = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', { policyId: created.body.id });
      return r.status === 202 ? r.body : undefined;
    }, 'the scheduler to know the policy');

    // backup.requested travels over Kafka to reporting; the gateway reads the job back from it.
    const job = await until(async () => {
      const r = await api<{ kind: string; policyId: string; source: { path: string } }>(stack.platform, 'GET', `/jobs/${run.jobId}`);
      return r.status === 200 && r.body.policyId ? r.body : undefined;
    }, 'the job to appear through the gateway');
    expect(job).toMatchObject({ kind: 'backup', policyId: created.body.id, source: { path: '/srv/e2e' } });

    // Reporting's read model knows the policy (for RPO) and the audit log names the principal.
    const summary = await until(async () => {
      const r = await api<{ rpo: Array<{ name: string }> }>(stack.platform, 'GET', '/reports/summary');
      return r.body.rpo.some((p) => p.name === 'e2e-docs') ? r.body : undefined;
    }, 'the policy in the RPO report');
    // Never backed up yet: compliant for one RPO period from when the platform learnt of it (the scheduler's RPO watch rule).
    const rpo = summary.rpo.find((p) => p.name === 'e2e-docs') as unknown as { compliant: boolean; lastSuccessAt: string | null; breachAt: string };
    expect(rpo).toMatchObject({ compliant: true, lastSuccessAt: null });
    expect(Date.parse(rpo.breachAt)).toBeGreaterThan(Date.now());
    const audit = await until(async () => {
      const r = await api<Array<{ actor: string; action: string; target: string }>>(stack.platform, 'GET', '/audit');
      return r.body.find((a) => a.action === 'policy.create' && a.target === created.body.id);
    }, 'the audit record');
    expect(audit).toMatchObject({
      actor: 'key:first-admin', principal: { type: 'api-key', name: 'first-admin', roles: ['admin'] }, requestId: 'e2e-create-docs',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('never returns a PostgreSQL source password, and keeps it when the policy is put back edited', async () => {
    const source = { kind: 'postgres', connection: 'postgres://app:s3cret@127.0.0.1:5432/shop' };
    const created = await api<{ id: string; source: typeof source }>(stack.platform, 'POST', '/policies', { ...policy('e2e-postgres'), source });
    expect(created.status).toBe(201);
    const shown = { kind: 'postgres', connection: 'postgres://app:***@127.0.0.1:5432/shop' };
    expect(created.body.source).toEqual(shown);
    const one = await api<Record<string, unknown>>(stack.platform, 'GET', `/policies/${created.body.id}`);
    expect(one.body.source).toEqual(shown);
    const all = await api<Array<{ id: string; source: unknown }>>(stack.platform, 'GET', '/policies');
    expect(all.body.find((p) => p.id === created.body.id)!.source).toEqual(shown);
    expect(JSON.stringify(all.body)).not.toContain('s3cret');
    const { id: _id, version: _version, createdAt: _c, updatedAt: _u, ...spec } = one.body;
    const updated = await api<{ version: number; source: unknown }>(stack.platform, 'PUT', `/policies/${created.body.id}`, { ...spec, rpoMinutes: 60 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: 2, source: shown });
  });

  it('rejects an invalid policy with a message naming each problem', async () => {
    const bad = await api<{ message: string[] }>(stack.platform, 'POST', '/policies', { ...policy('bad'), schedule: { cron: '61 * * * *', timezone: 'UTC' }, retention: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.message.join('\n')).toMatch(/cron expression "61 \* \* \* \*" is invalid/);
    expect(bad.body.message.join('\n')).toMatch(/retention: keeps no snapshot/);
  });

  it('dead-letters a malformed message with its reason and keeps consuming', async () => {
    const kafka = new Kafka({ clientId: 'e2e', brokers: [stack.platform.env.KAFKA_BROKERS!], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const dead: Array<{ value: string; reason: string; group: string }> = [];
    const consumer = kafka.consumer({ groupId: 'e2e-dlq-observer', maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'policy.changed.dlq', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        dead.push({ value: message.value!.toString(), reason: message.headers![DLQ_HEADERS.reason]!.toString(), group: message.headers![DLQ_HEADERS.consumerGroup]!.toString() });
      },
    });
    try {
      const malformed = JSON.stringify(createEvent(TOPICS.policyChanged, { policyId: 'x', version: 0 } as never));
      await producer.send({ topic: TOPICS.policyChanged, messages: [{ value: malformed }] });
      const letter = await until(() => dead.find((d) => d.value === malformed && d.group === 'arca-scheduler'), 'the scheduler to dead-letter the message');
      expect(letter.reason).toMatch(/invalid policy\.changed payload: .*policyId/);

      // The consumer is still alive: a new policy still reaches the scheduler.
      const next = await api<{ id: string }>(stack.platform, 'POST', '/policies', policy('after-dlq'));
      await until(async () => (await api(stack.platform, 'POST', '/jobs', { policyId: next.body.id })).status === 202, 'the scheduler to handle the next policy');
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
