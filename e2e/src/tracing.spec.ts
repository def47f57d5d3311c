import Ajv2020 from 'ajv/dist/2020';
import { portVariable } from '@arca/service-kit';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningScript, runScript, writeDocScripts } from './support/doc-code';
import { exportTo, OtlpCollector, startOtlpCollector } from './support/otlp-collector';
import { api, PLATFORM_HEALTHY_MS, PLATFORM_HOOK_MS, startTestPlatform, TestPlatform, until } from './support/test-platform';

/** A stand-in OpenTelemetry collector: which services sent spans of which traces. */
let collector: OtlpCollector;
let platform: TestPlatform;

beforeAll(async () => {
  collector = await startOtlpCollector();
  platform = await startTestPlatform(exportTo(collector));
  if (!(await platform.waitUntilHealthy(PLATFORM_HEALTHY_MS))) throw new Error(`platform did not become healthy:\n${platform.logs.slice(-40).join('\n')}`);
}, PLATFORM_HOOK_MS);

afterAll(async () => {
  await platform?.destroy();
  await collector?.close();
}, 60_000);

describe('one OpenTelemetry trace per job', () => {
  it('follows a backup from the gateway through the scheduler, ingest and reporting', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const dir = mkdtempSync('/tmp/arca-trace-');
    writeFileSync(`${dir}/file.txt`, 'traced');
    const run = await api<{ jobId: string }>(platform, 'POST', '/jobs', { source: { kind: 'directory', path: dir } }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(run.status).toBe(202);
    await until(async () => (await api<{ status: string }>(platform, 'GET', `/jobs/${run.body.jobId}`)).body.status === 'completed', 'the backup to complete');
    const servicesOf = (trace: string) => new Set(collector.trace(trace).map((s) => s.service));
    const services = await until(() => {
      const seen = servicesOf(traceId);
      return seen && ['arca-gateway', 'arca-scheduler', 'arca-ingest', 'arca-dedupe-index', 'arca-reporting', 'arca-storage'].every((s) => seen.has(s)) ? seen : undefined;
    }, `spans of trace ${traceId} from every service the job touched (so far: ${[...servicesOf(traceId)].join(', ')})`, 30_000);
    expect([...services]).toEqual(expect.arrayContaining(['arca-gateway', 'arca-scheduler', 'arca-ingest', 'arca-dedupe-index', 'arca-reporting', 'arca-storage']));
    // The job view names the trace and lists the job's events, each from the service that published it, in that trace.
    const view = (await api<{ traceId: string; failure: unknown; timeline: Array<{ type: string; service: string; traceId: string }> }>(platform, 'GET', `/jobs/${run.body.jobId}`)).body;
    expect(view.traceId).toBe(traceId);
    expect(view.failure).toBeNull();
    const main = view.timeline.filter((e) => e.type !== 'backup.progress').map((e) => [e.type, e.service, e.traceId]);
    expect(main).toEqual([['backup.requested', 'scheduler', traceId], ['backup.started', 'ingest', traceId], ['backup.completed', 'ingest', traceId]]);
  });
});

type Printed = { attributes: Record<string, string>; event: { eventId: string; type: string; occurredAt: string; jobId: string; tenant?: string; payload: Record<string, unknown> } };

/** docs/events.md promises its consumer and replay scripts work as written: run them, on this file's platform. */
describe('docs/events.md', () => {
  const scripts = writeDocScripts('docs/events.md', 'events-doc');
  const running: RunningScript[] = [];
  afterAll(async () => {
    for (const script of running) await script.stop();
  });

  it('its consumer prints finished backups as CloudEvents, and its replay makes the group see them again', async () => {
    expect(Object.keys(scripts).sort()).toEqual(['consumer.mjs', 'replay.mjs']);
    const env = { KAFKA_BROKERS: platform.env.KAFKA_BROKERS!, GROUP_ID: `doc-consumer-${randomUUID()}` };
    const dir = mkdtempSync('/tmp/arca-events-doc-');
    writeFileSync(`${dir}/file.txt`, 'consumed downstream');
    const policy = await api<{ id: string }>(platform, 'POST', '/policies', {
      name: 'events-doc', source: { kind: 'directory', path: dir }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 3 },
    });
    expect(policy.status).toBe(201);
    const since = new Date().toISOString();
    const failedRun = await api<{ jobId: string }>(platform, 'POST', '/jobs', { source: { kind: 'directory', path: `${dir}-missing` } });
    expect(failedRun.status).toBe(202);
    const failedJob = failedRun.body.jobId;
    // The scheduler learns of the policy from policy.changed: until then it answers 404.
    const completedJob = await until(async () => {
      const run = await api<{ jobId: string }>(platform, 'POST', '/jobs', { policyId: policy.body.id });
      return run.status === 202 ? run.body.jobId : undefined;
    }, 'the scheduler to accept a run of the new policy', 15_000, 100);

    const printedBy = (script: RunningScript) => script.lines.map((line) => JSON.parse(line) as Printed);
    const consume = async () => {
      const consumer = runScript(scripts['consumer.mjs'], [], env);
      running.push(consumer);
      const both = await until(() => {
        const printed = printedBy(consumer);
        const completed = printed.find((p) => p.event.jobId === completedJob && p.event.type === 'backup.completed');
        const failed = printed.find((p) => p.event.jobId === failedJob && p.event.type === 'backup.failed');
        return completed && failed ? { completed, failed } : undefined;
      }, "the doc consumer to print both jobs' outcomes", 30_000, 100).catch(async (error: Error) => {
        throw new Error(`${error.message}; it printed:\n${consumer.lines.join('\n')}\nstderr: ${consumer.stderr()}\njob: ${JSON.stringify((await api(platform, 'GET', `/jobs/${completedJob}`)).body)}`);
      });
      expect(await consumer.stop()).toBe(0);
      return both;
    };
    const { completed, failed } = await consume();
    expect(completed.attributes).toEqual({
      specversion: '1.0', id: completed.event.eventId, source: '/arca/ingest', type: 'io.arca.backup.completed', time: completed.event.occurredAt,
      subject: completedJob, dataschema: 'urn:arca:event:backup.completed:v1', tenant: 'default',
    });
    expect(completed.event.payload).toMatchObject({ policyId: policy.body.id, source: { kind: 'directory', path: dir }, snapshotId: expect.stringMatching(/^[0-9a-f]{64}$/), stats: { files: 1, bytesRead: 19 } });
    expect(failed.attributes).toMatchObject({ type: 'io.arca.backup.failed', subject: failedJob, source: '/arca/ingest' });
    expect(failed.event.payload).toMatchObject({ stage: 'read', source: { kind: 'directory', path: `${dir}-missing` } });
    // Each validates against the JSON Schema the gateway serves for its type and version.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const { event, attributes } of [completed, failed]) {
      const listed = (await api<{ topic: string; url: string; id: string }[]>(platform, 'GET', '/events/schemas')).body.find((e) => e.id === attributes.dataschema);
      const schema = await api<Record<string, unknown>>(platform, 'GET', listed!.url);
      expect(schema.status).toBe(200);
      expect(ajv.validate(schema.body, event), JSON.stringify(ajv.errors)).toBe(true);
    }

    // The group has committed past both; replay moves it back to `since`, and the consumer sees them again.
    const kafka = new Kafka({ clientId: 'e2e-events-doc', brokers: [env.KAFKA_BROKERS], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const committed = async () => (await admin.fetchOffsets({ groupId: env.GROUP_ID, topics: ['backup.completed'] }))[0].partitions.map((p) => [p.partition, Number(p.offset)] as [number, number]);
    const before = await committed();
    const replay = runScript(scripts['replay.mjs'], [since], env);
    expect(await replay.exited, replay.stderr()).toBe(0);
    expect(replay.lines.join('\n')).toMatch(/^backup\.completed: partition \d from offset \d+/m);
    // Where the group had committed (-1: nothing yet), replay moved it back, to the completed backup's offset at the latest.
    const after = new Map(await committed());
    const movedBack = before.filter(([partition, offset]) => offset >= 0 && after.get(partition)! < offset);
    expect(movedBack.length, JSON.stringify({ before, after: [...after] })).toBeGreaterThan(0);
    await admin.disconnect();
    const again = await consume();
    expect(again.completed.event.eventId).toBe(completed.event.eventId);

    // The same jobs on reporting's /metrics (OpenTelemetry), and the consumer lag of ingest's group on ingest's.
    const metrics = async (service: string) => (await fetch(`http://127.0.0.1:${platform.env[portVariable(service)]}/metrics`)).text();
    const reporting = await metrics('reporting');
    expect(reporting).toMatch(/^arca_jobs_total\{kind="backup",outcome="completed",tenant="default"\} [1-9]/m);
    expect(reporting).toMatch(/^arca_jobs_total\{kind="backup",outcome="failed",tenant="default"\} [1-9]/m);
    expect(reporting).toMatch(new RegExp(`^arca_policy_rpo_breached\\{policy_id="${policy.body.id}",policy="events-doc",tenant="default"\\} 0$`, 'm'));
    expect(await metrics('ingest')).toMatch(/^arca_consumer_lag_messages\{topic="backup\.requested",group="[\w-]+"\} \d+$/m);
  }, 90_000);
});
