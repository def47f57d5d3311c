import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestPlatform, TestPlatform, until } from './support/test-platform';

/** A stand-in OpenTelemetry collector: records which services sent spans of which traces (OTLP/HTTP JSON). */
const spansByTrace = new Map<string, Set<string>>();
let collector: http.Server;
let platform: TestPlatform;

function hexId(id: unknown): string {
  if (typeof id !== 'string') return '';
  return /^[0-9a-f]{32}$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

beforeAll(async () => {
  collector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      try {
        const payload = JSON.parse(body) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Array<{ traceId: string }> }> }> };
        for (const rs of payload.resourceSpans ?? []) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) {
            const trace = hexId(span.traceId);
            spansByTrace.set(trace, new Set([...(spansByTrace.get(trace) ?? []), service]));
          }
        }
      } catch {
        // not JSON (protobuf): ignored; the assertion below would then fail and say so
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  platform = await startTestPlatform({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '500', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
  if (!(await platform.waitUntilHealthy(90_000))) throw new Error(`platform did not become healthy:\n${platform.logs.slice(-40).join('\n')}`);
}, 120_000);

afterAll(async () => {
  await platform?.destroy();
  await new Promise<void>((r) => collector.close(() => r()));
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
    const services = await until(() => {
      const seen = spansByTrace.get(traceId);
      return seen && ['arca-gateway', 'arca-scheduler', 'arca-ingest', 'arca-dedupe-index', 'arca-reporting', 'arca-storage'].every((s) => seen.has(s)) ? seen : undefined;
    }, `spans of trace ${traceId} from every service the job touched (so far: ${[...(spansByTrace.get(traceId) ?? [])].join(', ')})`, 30_000);
    expect([...services]).toEqual(expect.arrayContaining(['arca-gateway', 'arca-scheduler', 'arca-ingest', 'arca-dedupe-index', 'arca-reporting', 'arca-storage']));
  });
});
