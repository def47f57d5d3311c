import net from 'node:net';

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A URL fit for logs and error messages: the password is masked. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

function answers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface ResolvedDatabase {
  url: string;
  description: string;
  /** Present when an embedded server was started here and must be stopped with the caller. */
  close?: () => Promise<void>;
}

/**
 * Where Arca's metadata lives: DATABASE_URL when set; else the local server on 127.0.0.1:5432 when
 * it answers; else an embedded PGlite served over the Postgres wire protocol, so a laptop with
 * nothing installed still runs the whole platform.
 */
export async function resolveDatabaseUrl(
  env: Record<string, string | undefined>,
  options: { embeddedDataDir: string; embeddedPort?: number },
): Promise<ResolvedDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, description: `DATABASE_URL (${maskUrl(env.DATABASE_URL)})` };
  if (await answers('127.0.0.1', 5432)) return { url: LOCAL_POSTGRES_URL, description: `local server (${LOCAL_POSTGRES_URL})` };
  const { startEmbeddedPostgres } = await import('./embedded-postgres');
  const embedded = await startEmbeddedPostgres({ dataDir: options.embeddedDataDir, port: options.embeddedPort ?? 5433 });
  return { url: embedded.url, description: `embedded PGlite on ${embedded.url} (data in ${options.embeddedDataDir})`, close: embedded.close };
}
