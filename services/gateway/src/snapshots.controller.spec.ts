import { describe, expect, it } from 'vitest';
import { GatewayEvents } from './gateway-events';
import { ServiceClient } from './service-client';
import { SnapshotsController } from './snapshots.controller';
import { useGatewayApp } from './testing/use-gateway-app';

describe('GET /snapshots/:id/file through the gateway', () => {
  // A stand-in ingest: /snapshots/600d/file sends its bytes, any other file breaks off after some.
  const gateway = useGatewayApp({ controllers: [SnapshotsController], providers: [ServiceClient, { provide: GatewayEvents, useValue: { audit: async () => undefined } }] }, {
    ingest: (req, res) => {
      const url = new URL(req.url!, 'http://x');
      res.setHeader('content-type', 'application/octet-stream');
      if (url.pathname === '/snapshots/600d/file') return void res.end(`bytes of ${url.searchParams.get('path')}`);
      res.write(Buffer.alloc(256 * 1024, 1)); // the chunks before the damaged one
      setTimeout(() => res.destroy(new Error('chunk is damaged')), 20);
    },
  });

  it('breaks the transfer off when ingest does (a damaged chunk mid-file), and keeps serving', async () => {
    const damaged = await fetch(`${gateway.base}/snapshots/dead/file?path=/big.bin`);
    expect(damaged.status).toBe(200);
    await expect(damaged.arrayBuffer()).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50)); // an unhandled stream error would surface here
    const good = await fetch(`${gateway.base}/snapshots/600d/file?path=/a.txt`);
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('bytes of /a.txt');
  });

  it('answers 503 naming ingest when it is unreachable', async () => {
    process.env.INGEST_URL = 'http://127.0.0.1:1';
    try {
      const response = await fetch(`${gateway.base}/snapshots/600d/file?path=/a.txt`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { message: string }).message).toMatch(/the ingest service is unavailable/);
    } finally {
      process.env.INGEST_URL = gateway.ingestUrl;
    }
  });
});
