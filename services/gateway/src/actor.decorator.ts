import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Who is acting, for the audit log: the X-Arca-Actor header, else "anonymous". */
export const Actor = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<Request>();
  const header = request.header('x-arca-actor')?.trim();
  return header && /^[\w.@-]{1,100}$/.test(header) ? header : 'anonymous';
});
