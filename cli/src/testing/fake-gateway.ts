import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer;
  headers: http.IncomingHttpHeaders;
}

/** A route answers with [status, JSON body] or [status, raw body, content type]. */
export type FakeRoute = (req: FakeRequest) => [number, unknown] | [number, Buffer | string, string] | undefined;

/**
 * A tiny stand-in for the gateway on a free loopback port: enough HTTP for the CLI's client,
 * follower and commands to run for real, with every request recorded for assertions.
 */
export async function startFakeGateway(route: FakeRoute): Promise<{ url: string; requests: FakeRequest[]; close(): Promise<void> }> {
  const requests: FakeRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const request: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: Buffer.concat(chunks), headers: req.headers };
      requests.push(request);
      const answer = route(request) ?? [404, { statusCode: 404, error: 'Not Found', message: `Cannot ${request.method} ${request.path}` }];
      if (answer.length === 3) {
        res.writeHead(answer[0], { 'content-type': answer[2] });
        res.end(answer[1]);
      } else {
        res.writeHead(answer[0], { 'content-type': 'application/json' });
        res.end(answer[1] === undefined ? '' : JSON.stringify(answer[1]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
