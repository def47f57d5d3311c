/** A failure to report as one line, then exit 1. */
export class CliError extends Error {}

/** The gateway's REST API, as the CLI uses it. */
export class GatewayClient {
  constructor(readonly baseUrl: string) {}

  async request<T>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        ...init,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), 'x-arca-actor': process.env.ARCA_ACTOR ?? process.env.USER ?? 'cli', ...(init.headers ?? {}) },
        body: body !== undefined ? JSON.stringify(body) : init.body,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(`cannot reach the gateway at ${this.baseUrl} (${cause}) — is "npm start" running? (set ARCA_URL or --url otherwise)`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      const message = (parsed as { message?: string | string[] })?.message ?? text ?? response.statusText;
      throw new CliError(Array.isArray(message) ? message.join('; ') : String(message));
    }
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }

  async stream(path: string): Promise<ReadableStream<Uint8Array>> {
    const response = await fetch(this.baseUrl + path).catch((error) => {
      throw new CliError(`cannot reach the gateway at ${this.baseUrl}: ${(error as Error).message}`);
    });
    if (!response.ok || !response.body) throw new CliError(`${response.status}: ${await response.text()}`);
    return response.body;
  }
}
