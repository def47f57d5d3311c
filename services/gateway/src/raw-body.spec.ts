import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayEvents } from './gateway-events';
import { OperationsController } from './operations.controller';
import { keepRawBody } from './raw-body';
import { ServiceClient } from './service-client';

describe('POST /streams through the gateway', () => {
  const received: Buffer[] = [];
  const ingest = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      received.push(Buffer.concat(parts));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jobId: 'j', snapshotId: 's' }));
    });
  });
  let app: INestApplication;
  let base: string;
  const previousUrl = process.env.INGEST_URL;

  beforeAll(async () => {
    await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
    process.env.INGEST_URL = `http://127.0.0.1:${(ingest.address() as AddressInfo).port}`;
    const module = await Test.createTestingModule({
      controllers: [OperationsController],
      providers: [{ provide: ServiceClient, useValue: {} }, { provide: GatewayEvents, useValue: {} }],
    }).compile();
    app = module.createNestApplication({ logger: false });
    keepRawBody(app, ['/streams']); // as main.ts does, before the body parsers are registered
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    ingest.close();
    if (previousUrl === undefined) delete process.env.INGEST_URL;
    else process.env.INGEST_URL = previousUrl;
  });

  it('passes the body on byte for byte whatever its content-type (curl --data-binary sends a form type)', async () => {
    const body = 'a=1&b={"c":2}\n\u0000tail';
    for (const type of ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/octet-stream']) {
      received.length = 0;
      const response = await fetch(`${base}/streams?name=x.bin`, { method: 'POST', headers: { 'content-type': type }, body });
      expect(response.status).toBe(202);
      expect(received.map((b) => b.toString())).toEqual([body]);
    }
  });
});
