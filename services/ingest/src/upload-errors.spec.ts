import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { uploadBrokeOff } from './upload-errors';

describe('uploadBrokeOff', () => {
  let failure: Promise<unknown>;
  const server = http.createServer((req) => {
    failure = (async () => {
      try {
        for await (const _chunk of req); // what archiveStream does with the body
        return undefined;
      } catch (error) {
        return error;
      }
    })();
  });
  afterAll(() => server.close());

  it('recognises a request body whose client went away part-way', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const request = http.request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST', path: '/streams?name=x' });
    request.on('error', () => undefined);
    request.write(Buffer.alloc(64 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 100));
    request.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const error = await failure;
    expect(error).toBeInstanceOf(Error);
    expect(uploadBrokeOff(error)).toBe(true);
  });

  it('leaves other failures alone', () => {
    expect(uploadBrokeOff(new Error('chunk index unreachable'))).toBe(false);
    expect(uploadBrokeOff(undefined)).toBe(false);
  });
});
