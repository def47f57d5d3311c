import type { INestApplication } from '@nestjs/common';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';

/**
 * JSON bodies every route accepts unless it names its own limit: operator requests (a policy, a
 * restore of a few paths, a passphrase) are a few KB. Chosen on purpose, not the framework's
 * 100 kB default; routes that carry batches set their own (see docs/architecture.md).
 */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

/** Route path (an Express path, e.g. `/packs` or `/snapshots/:id/restore`) → largest JSON body in bytes. */
export type BodyLimits = Record<string, number>;

/**
 * Registers the JSON body parser with a limit per route, and the default for the rest. A body over
 * its limit is answered 413 with the route, its size and its limit, so the caller knows what to
 * split. Call before the application is initialised, with Nest's own parsers off.
 */
export function installBodyParsers(app: INestApplication, limits: BodyLimits = {}): void {
  for (const [path, limit] of Object.entries(limits)) app.use(path, limitedJson(limit));
  app.use(limitedJson(DEFAULT_BODY_LIMIT));
}

function limitedJson(limit: number) {
  const parse = json({ limit });
  return (req: Request, res: Response, next: NextFunction) => parse(req, res, (error?: unknown) => {
    const e = error as { type?: string; length?: number } | undefined;
    if (e?.type !== 'entity.too.large') return next(error);
    res.status(413).json({
      statusCode: 413, error: 'Payload Too Large',
      message: `the body of ${req.method} ${req.originalUrl.split('?')[0]} is ${e.length ?? 'more than'} bytes; this route accepts at most ${limit} bytes`,
    });
  });
}
