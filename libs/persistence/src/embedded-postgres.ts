import { mkdirSync } from 'node:fs';

/**
 * PGlite (Postgres compiled to WebAssembly) behind a Postgres wire-protocol socket, for machines
 * without a Postgres server. One process hosts it; every service connects to it over TCP like to
 * any Postgres.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; host?: string }): Promise<{ url: string; close: () => Promise<void> }> {
  mkdirSync(options.dataDir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  // Services keep pools of connections; PGlite runs one query at a time and the server queues them.
  const server = new PGLiteSocketServer({ db, port: options.port, host, maxConnections: 100 });
  await server.start();
  return {
    url: `postgres://postgres@${host}:${options.port}/postgres`,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}
