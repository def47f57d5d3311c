import { Body, Controller, HttpCode, INestApplication, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMIT, installBodyParsers } from './body-limits';

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
}

describe('JSON body limits chosen per route', () => {
  let app: INestApplication;
  let base: string;
  beforeAll(async () => {
    const module = await Test.createTestingModule({ controllers: [EchoController] }).compile();
    app = module.createNestApplication({ bodyParser: false, logger: false });
    installBodyParsers(app, { '/batch': 4 * 1024 * 1024 });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(() => app?.close());

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
