import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Keeps the request bodies of `paths` away from the JSON and form parsers, whatever their
 * content-type, so a handler can stream them on as they are: without it, an upload sent as
 * application/x-www-form-urlencoded (curl --data-binary's default) or JSON was consumed by a
 * parser and backed up as an empty stream. The request is relabelled application/octet-stream,
 * which no parser takes. Call before the application is initialised (the parsers are registered
 * then, after this middleware).
 */
export function keepRawBody(app: INestApplication, paths: string[]): void {
  for (const path of paths) {
    app.use(path, (req: Request, _res: Response, next: NextFunction) => {
      req.headers['content-type'] = 'application/octet-stream';
      next();
    });
  }
}
