import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFaultProxy, seededRandom, TcpFaultProxy } from './index';

/** An echo server: what a client sends comes back, upper-cased (so the answer is the server's). */
let echo: net.Server;
let echoPort: number;
/** An HTTP server that records the requests (method, path, body) it carried out. */
let web: http.Server;
let webPort: number;
const carried: Array<{ method: string; path: string; body: string }> = [];

beforeAll(async () => {
  echo = net.createServer((s) => s.on('data', (d) => s.write(d.toString().toUpperCase())));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as net.AddressInfo).port;
  web = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      carried.push({ method: req.method!, path: req.url!, body });
      res.end(`stored ${req.url}`);
    });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  webPort = (web.address() as net.AddressInfo).port;
});

afterAll(async () => {
  web.closeAllConnections();
  await Promise.all([new Promise((r) => echo.close(r)), new Promise((r) => web.close(r))]);
});

/** Sends `text` over a new connection and resolves with the first answer, or the error or silence that came instead. */
function exchange(port: number, text: string, waitMs = 300): Promise<{ answer?: string; error?: string; silent?: true }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => { socket.destroy(); resolve({ silent: true }); }, waitMs);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (d) => { clearTimeout(timer); socket.destroy(); resolve({ answer: d.toString() }); });
    socket.on('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); resolve({ error: e.code ?? e.message }); });
    socket.on('close', () => { clearTimeout(timer); resolve({ error: 'closed' }); });
  });
}

async function request(port: number, method: string, path: string, body = ''): Promise<{ status?: number; text?: string; error?: string }> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, body: method === 'GET' ? undefined : body });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    return { error: String((error as Error).cause ?? error) };
  }
}

describe('TcpFaultProxy', () => {
  it('passes bytes both ways, then refuses, swallows, delays and cuts on command', async () => {
    const proxy = await TcpFaultProxy.start({ upstream: { host: '127.0.0.1', port: echoPort } });
    try {
      expect(await exchange(proxy.port, 'hello')).toEqual({ answer: 'HELLO' });

      proxy.setMode({ kind: 'refuse' });
      expect((await exchange(proxy.port, 'hello')).error).toMatch(/ECONNRESET|closed/);

      proxy.setMode({ kind: 'blackhole' });
      expect(await exchange(proxy.port, 'hello')).toEqual({ silent: true });

      proxy.setMode({ kind: 'delay', ms: 250 });
      const started = Date.now();
      expect(await exchange(proxy.port, 'slow', 2000)).toEqual({ answer: 'SLOW' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(480); // 250 ms each way

      proxy.setMode({ kind: 'pass' });
      // A connection open across a cut sees it reset.
      const open = net.connect(proxy.port, '127.0.0.1');
      await new Promise((r) => open.once('connect', r));
      const closed = new Promise((r) => open.once('close', r));
      await new Promise((r) => setTimeout(r, 50));
      expect(proxy.cut()).toBeGreaterThanOrEqual(1);
      await closed;
      expect(await exchange(proxy.port, 'again')).toEqual({ answer: 'AGAIN' });
      expect(proxy.stats.bytesUp).toBeGreaterThanOrEqual('hellosloWagain'.length);
    } finally {
      await proxy.close();
    }
  });

  it('ends a blackhole by cutting the connections it held, so clients reconnect', async () => {
    const proxy = await TcpFaultProxy.start({ upstream: { host: '127.0.0.1', port: echoPort } });
    try {
      proxy.setMode({ kind: 'blackhole' });
      const held = net.connect(proxy.port, '127.0.0.1');
      held.on('error', () => undefined);
      await new Promise((r) => held.once('connect', r));
      held.write('anyone?');
      const closed = new Promise((r) => held.once('close', r));
      await new Promise((r) => setTimeout(r, 100));
      proxy.setMode({ kind: 'pass' });
      await closed;
      expect(await exchange(proxy.port, 'back')).toEqual({ answer: 'BACK' });
    } finally {
      await proxy.close();
    }
  });
});

describe('HttpFaultProxy', () => {
  it('forwards requests and counts uploaded bytes, and those the upstream answered as stored', async () => {
    const proxy = await HttpFaultProxy.start({ upstream: { host: '127.0.0.1', port: webPort } });
    try {
      expect(await request(proxy.port, 'PUT', '/bucket/a', 'twelve bytes')).toEqual({ status: 200, text: 'stored /bucket/a' });
      expect(carried.at(-1)).toEqual({ method: 'PUT', path: '/bucket/a', body: 'twelve bytes' });
      expect(proxy.stats.putBytes).toBe(12);
      expect(proxy.stats.storedPutBytes).toBe(12);
    } finally {
      await proxy.close();
    }
  });

  it('answers a share of requests with 500 or 503 without reaching the upstream, choosing by its seeded generator', async () => {
    const proxy = await HttpFaultProxy.start({ upstream: { host: '127.0.0.1', port: webPort }, random: seededRandom(42) });
    try {
      proxy.setMode({ kind: 'http-error', share: 0.5 });
      const before = carried.length;
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await request(proxy.port, 'PUT', `/bucket/e${i}`, 'x')).status!);
      const failed = statuses.filter((s) => s !== 200);
      expect(failed.length).toBeGreaterThan(5);
      expect(failed.length).toBeLessThan(35);
      expect(new Set(failed)).toEqual(new Set([500, 503]));
      expect(carried.length - before).toBe(40 - failed.length); // the failed ones never reached the upstream
      expect(proxy.stats.injectedErrors).toBe(failed.length);

      // The same seed makes the same choices.
      const again = await HttpFaultProxy.start({ upstream: { host: '127.0.0.1', port: webPort }, random: seededRandom(42) });
      again.setMode({ kind: 'http-error', share: 0.5 });
      const replay: number[] = [];
      for (let i = 0; i < 40; i++) replay.push((await request(again.port, 'PUT', `/bucket/r${i}`, 'x')).status!);
      await again.close();
      expect(replay).toEqual(statuses);
    } finally {
      await proxy.close();
    }
  });

  it('loses the answer to a PUT the upstream carried out, and leaves GETs alone', async () => {
    const proxy = await HttpFaultProxy.start({ upstream: { host: '127.0.0.1', port: webPort } });
    try {
      proxy.setMode({ kind: 'lose-answer' });
      const put = await request(proxy.port, 'PUT', '/bucket/lost', 'stored anyway');
      expect(put.error).toBeDefined();
      expect(carried.at(-1)).toEqual({ method: 'PUT', path: '/bucket/lost', body: 'stored anyway' });
      expect(proxy.stats.lostAnswers).toBe(1);
      expect(proxy.stats.storedPutBytes).toBe('stored anyway'.length); // stored, though the client never heard
      expect(await request(proxy.port, 'GET', '/bucket/lost')).toEqual({ status: 200, text: 'stored /bucket/lost' });
    } finally {
      await proxy.close();
    }
  });

  it('refuses connections, holds requests in a blackhole, and delays answers', async () => {
    const proxy = await HttpFaultProxy.start({ upstream: { host: '127.0.0.1', port: webPort } });
    try {
      proxy.setMode({ kind: 'refuse' });
      expect((await request(proxy.port, 'GET', '/x')).error).toBeDefined();

      proxy.setMode({ kind: 'blackhole' });
      const held = request(proxy.port, 'GET', '/held');
      await new Promise((r) => setTimeout(r, 200));
      expect(carried.some((c) => c.path === '/held')).toBe(false);
      proxy.setMode({ kind: 'pass' });
      expect((await held).error).toBeDefined(); // cut when the blackhole ended

      proxy.setMode({ kind: 'delay', ms: 200 });
      const started = Date.now();
      expect((await request(proxy.port, 'GET', '/slow')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    } finally {
      await proxy.close();
    }
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(seededRandom(8)()).not.toBe(xs[0]);
  });
});
