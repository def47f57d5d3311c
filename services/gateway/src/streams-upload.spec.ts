import { describe, expect, it } from 'vitest';
import { GatewayEvents } from './gateway-events';
import { OperationsController } from './operations.controller';
import { ServiceClient } from './service-client';
import { useGatewayApp } from './testing/use-gateway-app';

describe('POST /streams through the gateway', () => {
  const received: Buffer[] = [];
  const gateway = useGatewayApp({ controllers: [OperationsController], providers: [{ provide: ServiceClient, useValue: {} }, { provide: GatewayEvents, useValue: {} }] }, {
    rawBodies: ['/streams'], // as main.ts says
    ingest: (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        received.push(Buffer.concat(parts));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ jobId: 'j', snapshotId: 's' }));
      });
    },
  });

  it('passes the body on byte for byte whatever its content-type (curl --data-binary sends a form type)', async () => {
    const body = 'a=1&b={"c":2}\n\u0000tail';
    for (const type of ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/octet-stream']) {
      received.length = 0;
      const response = await fetch(`${gateway.base}/streams?name=x.bin`, { method: 'POST', headers: { 'content-type': type }, body });
      expect(response.status).toBe(202);
      expect(received.map((b) => b.toString())).toEqual([body]);
    }
  });

  it('refuses a bad stream name itself, without a trip to ingest (a 5,000-character one was a 500: ingest refused the URL without a body; seed 34908189)', async () => {
    received.length = 0;
    for (const name of ['', 'a/b', 'x'.repeat(256), 'x'.repeat(5000)]) {
      const response = await fetch(`${gateway.base}/streams?name=${encodeURIComponent(name)}`, { method: 'POST', body: 'bytes' });
      expect(response.status, name.slice(0, 20)).toBe(400);
      expect(((await response.json()) as { message: string }).message).toBe('name must be 1-255 characters without "/" or NUL');
    }
    expect(received).toEqual([]);
  });
});
