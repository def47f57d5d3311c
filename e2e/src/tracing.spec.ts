import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const { mkdtempSync, writeFileSync } = await import('node:fs');
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
