/**
 * A fault proxy for the chaos tests (e2e/chaos): it listens on loopback, forwards to one upstream
 * (S3, Postgres, …) and, on command, misbehaves the way networks and servers do. The services are
 * pointed at it through their ordinary variables (S3_ENDPOINT, DATABASE_URL), so faults are
 * injected without touching the parts themselves.
 *
 * Two flavours share the modes that make sense at the byte level:
 * - `TcpFaultProxy` forwards bytes (Postgres, Kafka, anything);
 * - `HttpFaultProxy` forwards HTTP/1.1 requests one by one (S3), so it can also fail a share of
 *   requests with 500/503 and lose the answer to a request the upstream did carry out.
 */
import http from 'node:http';
import net from 'node:net';

export type FaultMode =
  /** Forward everything untouched. */
  | { kind: 'pass' }
  /** New connections are reset at once; open ones are cut (a server that is down). */
  | { kind: 'refuse' }
  /** Connections are accepted and bytes swallowed, nothing answers (a partitioned network). Held connections are cut when the mode ends. */
  | { kind: 'blackhole' }
  /** Every piece of data waits `ms` before it is forwarded, both ways (a slow link or server). */
  | { kind: 'delay'; ms: number }
  /** HTTP only: a `share` (0–1) of requests is answered with one of `statuses` (default 500 and 503) without reaching the upstream. */
  | { kind: 'http-error'; share: number; statuses?: number[] }
  /** HTTP only: a `share` (default all) of requests with one of `methods` (default PUT) reaches the upstream, which carries it out; its answer is dropped and the client's connection cut. */
  | { kind: 'lose-answer'; share?: number; methods?: string[] };

export interface FaultProxyOptions {
  upstream: { host: string; port: number };
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Decides which requests a share-based mode hits; pass a seeded generator to replay a run. */
  random?: () => number;
}

export interface FaultProxyStats {
  connections: number;
  /** HTTP: requests seen; TCP: not counted. */
  requests: number;
  /** Bytes the proxy forwarded from clients to the upstream. */
  bytesUp: number;
  /** HTTP: bytes of PUT bodies forwarded (what clients uploaded). */
  putBytes: number;
  /** HTTP: bytes of the PUTs the upstream answered with a 2xx (what it stored, whether or not the client heard so). */
  storedPutBytes: number;
  /** HTTP: requests answered with an injected error status. */
  injectedErrors: number;
  /** HTTP: requests whose answer was dropped after the upstream carried them out. */
  lostAnswers: number;
  /** Connections refused, cut or swallowed by a fault. */
  faultedConnections: number;
}

abstract class FaultProxyBase {
  protected mode: FaultMode = { kind: 'pass' };
  protected readonly sockets = new Set<net.Socket>();
  protected readonly held = new Set<net.Socket>();
  /** Decides share-based faults; replace it to give one case its own seeded sequence. */
  random: () => number;
  readonly stats: FaultProxyStats = { connections: 0, requests: 0, bytesUp: 0, putBytes: 0, storedPutBytes: 0, injectedErrors: 0, lostAnswers: 0, faultedConnections: 0 };
  protected abstract readonly server: net.Server;

  constructor(protected readonly options: FaultProxyOptions) {
    this.random = options.random ?? Math.random;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  get current(): FaultMode {
    return this.mode;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this;
  }

  /** Switches the mode; `refuse` cuts the open connections, leaving a swallowing mode cuts the connections it held. */
  setMode(mode: FaultMode): void {
    const previous = this.mode;
    this.mode = mode;
    if (mode.kind === 'refuse') this.cut();
    if (previous.kind === 'blackhole' && mode.kind !== 'blackhole') {
      for (const socket of this.held) socket.destroy();
      this.held.clear();
    }
  }

  /** `mode` for `ms`, then back to pass. */
  async during(mode: FaultMode, ms: number): Promise<void> {
    this.setMode(mode);
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.setMode({ kind: 'pass' });
  }

  /** Cuts every open connection now (clients see their connection reset mid-conversation). */
  cut(): number {
    const count = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    this.stats.faultedConnections += count;
    return count;
  }

  protected track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.held.delete(socket);
    });
    socket.on('error', () => undefined);
  }

  protected hits(share: number | undefined): boolean {
    return this.random() < (share ?? 1);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/** Runs `forward` now, or after the delay mode's wait. */
function afterDelay(mode: FaultMode, forward: () => void): void {
  if (mode.kind === 'delay') setTimeout(forward, mode.ms);
  else forward();
}

/** Forwards bytes between each client connection and a connection of its own to the upstream. */
export class TcpFaultProxy extends FaultProxyBase {
  protected readonly server = net.createServer((client) => this.accept(client));

  static start(options: FaultProxyOptions): Promise<TcpFaultProxy> {
    return new TcpFaultProxy(options).listen();
  }

  private accept(client: net.Socket): void {
    this.stats.connections++;
    this.track(client);
    if (this.mode.kind === 'refuse') {
      this.stats.faultedConnections++;
      client.resetAndDestroy();
      return;
    }
    if (this.mode.kind === 'blackhole') {
      this.stats.faultedConnections++;
      this.held.add(client);
      client.on('data', () => undefined);
      return;
    }
    const upstream = net.connect(this.options.upstream.port, this.options.upstream.host);
    this.track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    // Each piece is forwarded under the mode of the moment it arrives; order is kept because
    // every piece of one direction waits the same time.
    client.on('data', (data: Buffer) => {
      if (this.mode.kind === 'blackhole') return;
      this.stats.bytesUp += data.length;
      afterDelay(this.mode, () => upstream.write(data));
    });
    upstream.on('data', (data: Buffer) => {
      if (this.mode.kind === 'blackhole') return;
      afterDelay(this.mode, () => client.write(data));
    });
  }
}

/**
 * S3-style error bodies, so a client library reads an injected error as the server's own: S3's
 * code for each status a test injects (a 403 must read as AccessDenied, not as a retryable
 * InternalError); a status without one here is answered as InternalError.
 */
const S3_ERROR_CODES: Record<number, string> = { 400: 'InvalidRequest', 403: 'AccessDenied', 404: 'NoSuchKey', 500: 'InternalError', 503: 'SlowDown' };

/** Forwards HTTP/1.1 requests one by one to the upstream, so faults can hit single requests. */
export class HttpFaultProxy extends FaultProxyBase {
  private readonly agent: http.Agent;
  protected readonly server: http.Server;

  constructor(options: FaultProxyOptions) {
    super(options);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.server = http.createServer({ keepAlive: true }, (req, res) => this.handle(req, res));
    this.server.on('connection', (socket: net.Socket) => {
      this.stats.connections++;
      this.track(socket);
      if (this.mode.kind === 'refuse') {
        this.stats.faultedConnections++;
        socket.resetAndDestroy();
      }
    });
  }

  static start(options: FaultProxyOptions): Promise<HttpFaultProxy> {
    return new HttpFaultProxy(options).listen();
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await super.close();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.stats.requests++;
    const mode = this.mode;
    if (mode.kind === 'refuse') {
      req.socket.destroy();
      return;
    }
    if (mode.kind === 'blackhole') {
      this.stats.faultedConnections++;
      this.held.add(req.socket);
      req.resume();
      return;
    }
    if (mode.kind === 'http-error' && this.hits(mode.share)) {
      const statuses = mode.statuses ?? [500, 503];
      const status = statuses[Math.floor(this.random() * statuses.length)];
      this.stats.injectedErrors++;
      req.resume();
      req.on('end', () => {
        const code = S3_ERROR_CODES[status] ?? 'InternalError';
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected by the fault proxy</Message><Resource>${req.url}</Resource><RequestId>fault-proxy</RequestId></Error>`;
        res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    const loseAnswer = mode.kind === 'lose-answer' && (mode.methods ?? ['PUT']).includes(req.method ?? '') && this.hits(mode.share);
    afterDelay(mode, () => this.forward(req, res, loseAnswer, mode.kind === 'delay' ? mode.ms : 0));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, loseAnswer: boolean, delayMs: number): void {
    let bodyBytes = 0;
    const upstream = http.request({
      host: this.options.upstream.host, port: this.options.upstream.port, method: req.method, path: req.url, headers: req.headers, agent: this.agent,
    }, (answer) => {
      const status = answer.statusCode ?? 502;
      if (req.method === 'PUT' && status >= 200 && status < 300) this.stats.storedPutBytes += bodyBytes;
      if (loseAnswer) {
        // The upstream has carried the request out; the client never learns it.
        this.stats.lostAnswers++;
        answer.resume();
        answer.on('end', () => req.socket.destroy());
        return;
      }
      const send = () => {
        if (res.destroyed) return answer.resume();
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      };
      if (delayMs) setTimeout(send, delayMs);
      else send();
    });
    upstream.on('error', () => req.socket.destroy());
    req.on('data', (data: Buffer) => {
      this.stats.bytesUp += data.length;
      bodyBytes += data.length;
      if (req.method === 'PUT') this.stats.putBytes += data.length;
    });
    req.on('close', () => {
      if (!req.complete) upstream.destroy();
    });
    req.pipe(upstream);
  }
}

/** A seeded generator (mulberry32): the same seed gives the same sequence in [0, 1) on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
