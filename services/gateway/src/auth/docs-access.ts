import { HttpException, INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AccessGuard } from './access.guard';
import { AuthenticatedRequest } from './principal';
import { ROLES } from './roles';

/**
 * The OpenAPI document and Swagger UI are served outside Nest's router, so AccessGuard does not
 * see them: this applies the same rule (any role may read them), unless ARCA_PUBLIC_DOCS=true.
 */
export function guardApiDocs(app: INestApplication): void {
  if (process.env.ARCA_PUBLIC_DOCS === 'true') return;
  const guard = app.get(AccessGuard);
  app.use('/api', (request: Request, response: Response, next: NextFunction) => {
    guard.admit(request as AuthenticatedRequest, response, ROLES, `GET /api${request.path}`).then(() => next(), (error: unknown) => {
      if (!(error instanceof HttpException)) return next(error);
      response.status(error.getStatus()).json(error.getResponse());
    });
  });
}
