/** A failure to report as one line (`arca: …`), then exit 1. `status` is the gateway's HTTP status, if any. */
export class CliError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'CliError';
  }
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
};

/** Turns fetch's "fetch failed" (the real reason hides in `cause`) into words an operator can act on. */
export function describeNetworkFailure(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'no answer in time';
  const code = e?.cause?.code;
  if (code) return NETWORK_REASONS[code] ?? code;
  return e?.cause?.message ?? e?.message ?? String(error);
}

/** The message of a gateway error body (`{ statusCode, error, message }`, message possibly a list), else the status. */
export function describeErrorBody(status: number, statusText: string, text: string): string {
  try {
    const body = JSON.parse(text) as { message?: string | string[]; error?: string };
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message ?? body.error;
    if (message) return String(message);
  } catch {
    // not JSON: a proxy's HTML page or plain text
  }
  const plain = text.trim().split('\n')[0]?.slice(0, 200);
  return `the gateway answered ${status} ${statusText}${plain && !plain.startsWith('<') ? `: ${plain}` : ''}`;
}

/** The gateway's REST API as the CLI uses it: JSON in and out, plus raw byte streams for uploads and downloads. */
export class GatewayClient {
  readonly baseUrl: string;

  constructor(baseUrl: string, private readonly apiKey?: string, private readonly timeoutMs = 60_000) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]+/.test(this.baseUrl) || !URL.canParse(this.baseUrl)) {
      throw new CliError(`"${baseUrl}" is not a gateway URL; give one like http://localhost:3000 (--url or ARCA_URL)`);
    }
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  delete(path: string): Promise<void> {
    return this.json<void>('DELETE', path);
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(path, {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`the gateway answered ${method} ${path} with something that is not JSON (is ${this.baseUrl} really the Arca gateway?)`);
    }
  }

  /** Uploads a byte stream as the request body (no timeout: a large upload takes as long as it takes). */
  async upload<T>(path: string, body: ReadableStream<Uint8Array>): Promise<T> {
    const response = await this.send(path, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body, duplex: 'half' } as RequestInit);
    return (await response.json()) as T;
  }

  /** A response body to stream elsewhere (a file out of a snapshot). */
  async download(path: string): Promise<ReadableStream<Uint8Array>> {
    const response = await this.send(path, { method: 'GET' });
    if (!response.body) throw new CliError(`the gateway sent no body for ${path}`);
    return response.body;
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, { ...init, headers: { ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}), ...(init.headers as Record<string, string>) } });
    } catch (error) {
      throw new CliError(`cannot reach the gateway at ${this.baseUrl} (${describeNetworkFailure(error)}) — is "npm start" running? (set ARCA_URL or --url otherwise)`);
    }
    if (!response.ok) {
      const message = describeErrorBody(response.status, response.statusText, await response.text().catch(() => ''));
      const hint = response.status === 401 ? (this.apiKey ? ' (check ARCA_API_KEY)' : ' — set ARCA_API_KEY to an API key (npm start writes the first admin key to .arca/admin-key, which the CLI reads)') : '';
      throw new CliError(message + hint, response.status);
    }
    return response;
  }
}
