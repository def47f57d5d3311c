import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../services/reporting/src/webhooks/webhook-signature';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/** A receiver on loopback that fails its first delivery (so the platform retries), recording every request. */
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
let receiver: http.Server;
let receiverUrl = '';
beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(received.length === 1 ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/arca`;
});
afterAll(() => receiver?.close());
const stack = usePlatform();

interface Delivery { event: string; status: string; attempts: number; lastStatus: number | null }

describe('webhooks through the real platform', () => {
  it('signs a failed backup to a subscriber, retries a refused delivery, and shows the deliveries', async () => {
    expect((await api(stack.platform, 'POST', '/webhooks', { url: 'http://example.com/hook', events: ['backup.failed'] })).status).toBe(400); // plain HTTP only to loopback
    const hook = await api<{ id: string; secret: string }>(stack.platform, 'POST', '/webhooks', { url: receiverUrl, events: ['backup.failed'] });
    expect(hook.status).toBe(201);
    const run = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', { source: { kind: 'directory', path: '/nonexistent/arca-webhook-e2e' } });
    expect(run.status).toBe(202);

    const deliveries = await until(async () => {
      const r = await api<Delivery[]>(stack.platform, 'GET', `/webhooks/${hook.body.id}/deliveries`);
      return r.body[0]?.status === 'delivered' && r.body;
    }, 'the delivery to succeed on its retry', 60_000, 500);
    expect(deliveries[0]).toMatchObject({ event: 'backup.failed', attempts: 2, lastStatus: 204 });
    expect(received).toHaveLength(2);
    for (const r of received) expect(verifySignature(hook.body.secret, String(r.headers['arca-signature']), r.body)).toBe(true);
    expect(JSON.parse(received[1].body)).toMatchObject({ type: 'backup.failed', data: { jobId: run.body.jobId } });

    expect((await api(stack.platform, 'POST', `/webhooks/${hook.body.id}/test`)).status).toBe(202);
    await until(() => received.length === 3, 'the test delivery', 10_000);
    expect(received[2].headers['arca-event']).toBe('webhook.test');
    const listed = await api<Array<Record<string, unknown>>>(stack.platform, 'GET', '/webhooks');
    expect(listed.body.find((w) => w.id === hook.body.id)).not.toHaveProperty('secret');
  });
});
