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

/** Requests to a raw-body route: their bodies are streamed on by the handler, never parsed. */
const rawRequests = new WeakSet<Request>();

/**
 * Registers the JSON body parser with a limit per route, and the default for the rest. Every
 * route but the `raw` ones takes JSON only: a body of another content type is answered 415 (it
 * would otherwise reach the handler as an empty object, as if nothing had been sent), a body
 * that is not JSON 400, a body over its limit 413 with the route, its size and its limit, so the
 * caller knows what to split; each answer names the route and the problem. The bodies of `raw`
 * routes are kept away from the parser, whatever their content type, so a handler can stream
 * them on as they are (an upload sent as application/x-www-form-urlencoded, curl --data-binary's
 * default, is a backup too): such a request is relabelled application/octet-stream. Call before
 * the application is initialised, with Nest's own parsers off.
 */
export function installBodyParsers(app: INestApplication, limits: BodyLimits = {}, raw: string[] = []): void {
  for (const path of raw) {
    app.use(path, (req: Request, _res: Response, next: NextFunction) => {
      req.headers['content-type'] = 'application/octet-stream';
      rawRequests.add(req);
      next();
    });
  }
  for (const [path, limit] of Object.entries(limits)) app.use(path, limitedJson(limit));
  app.use(limitedJson(DEFAULT_BODY_LIMIT));
}

function limitedJson(limit: number) {
  const parse = json({ limit });
  return (req: Request, res: Response, next: NextFunction) => {
    if (rawRequests.has(req)) return next();
    const route = `${req.method} ${req.originalUrl.split('?')[0]}`;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (hasBody(req) && type !== 'application/json') {
      return refuse(res, 415, `the body of ${route} must be JSON (content-type application/json), not ${type ? `content-type ${type}` : 'without a content-type'}`);
    }
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const e = error as { type?: string; length?: number; status?: number; message?: string };
      if (e.type === 'entity.too.large') return refuse(res, 413, `the body of ${route} is ${e.length ?? 'more than'} bytes; this route accepts at most ${limit} bytes`);
      if (e.type === 'entity.parse.failed') return refuse(res, 400, `the body of ${route} is not valid JSON (an object or an array): ${e.message}`);
      // unsupported charset or content-encoding, a body cut short or of the wrong length
      if (e.status && e.status >= 400 && e.status < 500) return refuse(res, e.status, `the body of ${route} could not be read: ${e.message}`);
      next(error);
    });
  };
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 413: 'Payload Too Large', 415: 'Unsupported Media Type' };

function refuse(res: Response, status: number, message: string): void {
  res.status(status).json({ statusCode: status, error: REASONS[status] ?? 'Bad Request', message });
}
