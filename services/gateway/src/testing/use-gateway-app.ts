import 'reflect-metadata';
import { installBodyParsers, RequestValidationPipe } from '@arca/service-kit';
import { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface GatewayAppOptions {
  /** A stand-in ingest service; INGEST_URL points at it while the file's tests run. */
  ingest?: http.RequestListener;
  /** Runs on the application before it is initialised, as bootstrapService's `configure`. */
  configure?: (app: INestApplication) => void;
  /** Routes whose bodies are streamed on unparsed, as bootstrapService's `rawBodies`. */
  rawBodies?: string[];
}

/**
 * Some gateway controllers on a loopback port for one spec file, with the body parsers and the
 * global validation pipe bootstrapService installs, started before the file's tests and closed after them.
 */
export function useGatewayApp(metadata: ModuleMetadata, options: GatewayAppOptions = {}) {
  let app: INestApplication | undefined;
  let ingest: http.Server | undefined;
  let base = '';
  let ingestUrl = '';
  const previousUrl = process.env.INGEST_URL;

  beforeAll(async () => {
    if (options.ingest) {
      const server = http.createServer(options.ingest);
      ingest = server;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      ingestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      process.env.INGEST_URL = ingestUrl;
    }
    const module = await Test.createTestingModule(metadata).compile();
    app = module.createNestApplication({ logger: false, bodyParser: false });
    options.configure?.(app);
    installBodyParsers(app, {}, options.rawBodies); // as bootstrap.ts
    app.useGlobalPipes(new RequestValidationPipe());
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    ingest?.close();
    if (previousUrl === undefined) delete process.env.INGEST_URL;
    else process.env.INGEST_URL = previousUrl;
  });

  return {
    /** The application's base URL. */
    get base(): string { return base; },
    /** The stand-in ingest's URL. */
    get ingestUrl(): string { return ingestUrl; },
  };
}
