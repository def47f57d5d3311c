import { Body, Controller, HttpCode, INestApplication, Post, Req } from '@nestjs/common';
import { IsBoolean, IsOptional } from 'class-validator';
import type { Request } from 'express';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMIT, installBodyParsers } from './body-limits';
import { RequestValidationPipe } from './validation';

class PruneLike {
  @IsOptional() @IsBoolean() dryRun?: boolean;
}

@Controller()
class EchoController {
  @Post('batch')
  @HttpCode(200)
  batch(@Body() body: { items: string[] }) {
    return { count: body.items.length };
  }

  @Post('small')
  @HttpCode(200)
  small(@Body() body: { items: string[] }) {
    return { count: body.items.length };
  }

  @Post('prune')
  @HttpCode(200)
  prune(@Body() body: PruneLike) {
    return { dryRun: body.dryRun ?? null };
  }

  @Post('upload')
  @HttpCode(200)
  async upload(@Req() req: Request) {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    return { bytes: Buffer.concat(parts).length, type: req.headers['content-type'] };
  }
}

// One application for the file, set up as bootstrapService sets up a service's.
let app: INestApplication;
let base: string;
beforeAll(async () => {
  const module = await Test.createTestingModule({ controllers: [EchoController] }).compile();
  app = module.createNestApplication({ bodyParser: false, logger: false });
  installBodyParsers(app, { '/batch': 4 * 1024 * 1024 }, ['/upload']);
  app.useGlobalPipes(new RequestValidationPipe());
  await app.listen(0, '127.0.0.1');
  base = await app.getUrl();
});
afterAll(() => app?.close());

describe('JSON body limits chosen per route', () => {
  const post = (path: string, bytes: number) => fetch(`${base}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: ['x'.repeat(bytes)] }),
  });

  it('takes a batch route its own limit, and every other route the default', async () => {
    expect((await post('/batch', 3 * 1024 * 1024)).status).toBe(200);
    expect((await post('/small', DEFAULT_BODY_LIMIT - 100)).status).toBe(200);
  });

  it('answers 413 naming the route, the body size and the limit', async () => {
    const over = await post('/small', DEFAULT_BODY_LIMIT);
    expect(over.status).toBe(413);
    expect(((await over.json()) as { message: string }).message).toBe(`the body of POST /small is ${DEFAULT_BODY_LIMIT + 14} bytes; this route accepts at most ${DEFAULT_BODY_LIMIT} bytes`);
    const batch = await post('/batch', 5 * 1024 * 1024);
    expect(((await batch.json()) as { message: string }).message).toMatch(/^the body of POST \/batch is \d+ bytes; this route accepts at most 4194304 bytes$/);
  });
});

describe('bodies that are not a JSON object (found by e2e/src/fuzz-rest.spec.ts)', () => {
  const send = async (path: string, body: string, type?: string) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: type ? { 'content-type': type } : {}, body });
    return { status: response.status, body: (await response.json()) as { message: string | string[]; dryRun?: unknown; bytes?: number } };
  };

  it('refuses a body of another content type with 415, where it used to reach the handler as an empty object', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
      expect(await send('/prune', '{"dryRun":true}', type)).toEqual({ status: 415, body: expect.objectContaining({ message: `the body of POST /prune must be JSON (content-type application/json), not content-type ${type}` }) });
    }
    expect((await fetch(`${base}/prune`, { method: 'POST', body: new Blob(['{}']) })).status).toBe(415); // no content type at all
    expect(await send('/prune', '{"dryRun":true}', 'application/json')).toEqual({ status: 200, body: { dryRun: true } });
    expect((await fetch(`${base}/prune`, { method: 'POST' })).status).toBe(200); // no body: nothing to refuse
  });

  it('answers malformed JSON and unreadable bodies with a message naming the problem, as JSON', async () => {
    const malformed = await send('/prune', '{"dryRun":', 'application/json');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/^the body of POST \/prune is not valid JSON \(an object or an array\): /);
    expect((await send('/prune', '12', 'application/json')).status).toBe(400);
    const charset = await send('/prune', '{}', 'application/json; charset=koi8-r');
    expect(charset.status).toBe(415);
    expect(charset.body.message).toMatch(/^the body of POST \/prune could not be read: unsupported charset "KOI8-R"/);
  });

  it('refuses a JSON array for an object and fields named like Object.prototype\'s (__proto__, constructor, …), which the whitelist never saw', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype']) {
      expect(await send('/prune', `{"${name}":true}`, 'application/json'), name).toEqual({ status: 400, body: expect.objectContaining({ message: `property ${name} should not exist` }) });
    }
    expect(await send('/prune', '[]', 'application/json')).toEqual({ status: 400, body: expect.objectContaining({ message: 'the body must be a JSON object, not an array' }) });
    expect(await send('/prune', '{"__proto__":{"dryRun":true}}', 'application/json')).toEqual({ status: 400, body: expect.objectContaining({ message: 'property __proto__ should not exist' }) });
    expect(await send('/prune', '{"dryRun":true,"x":{"__proto__":1}}', 'application/json')).toEqual({ status: 400, body: expect.objectContaining({ message: 'property x.__proto__ should not exist' }) });
  });

  it('refuses a NUL character in a body field, naming it (Postgres cannot store one; it came back a 500)', async () => {
    expect(await send('/batch', '{"items":["a","b\\u0000c"]}', 'application/json')).toEqual({ status: 400, body: expect.objectContaining({ message: 'items.1 must not contain a NUL character' }) });
  });

  it('passes the bodies of raw routes on unparsed, whatever their content type', async () => {
    for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      expect(await send('/upload', '{"a": 1', type)).toEqual({ status: 200, body: { bytes: 7, type: 'application/octet-stream' } });
    }
  });
});
