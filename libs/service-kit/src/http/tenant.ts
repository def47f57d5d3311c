import { DEFAULT_TENANT, TENANT_HEADER, TENANT_ID } from '@arca/contracts';
import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The tenant named by an internal call's `x-arca-tenant` header (set by the gateway); none: `default`. */
export function tenantOfRequest(request: Pick<Request, 'header'>): string {
  const given = request.header(TENANT_HEADER);
  if (given === undefined || given === '') return DEFAULT_TENANT;
  if (!TENANT_ID.test(given)) throw new BadRequestException(`${TENANT_HEADER} "${given.slice(0, 80)}" is not a tenant id (a lower-case slug)`);
  return given;
}

/** The calling tenant of an internal route: `@CallerTenant() tenant: string`. Every query a route makes filters by it. */
export const CallerTenant = createParamDecorator((_: unknown, context: ExecutionContext): string => tenantOfRequest(context.switchToHttp().getRequest<Request>()));
