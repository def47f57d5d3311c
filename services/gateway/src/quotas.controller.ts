import { PutQuotaRequest, quotaTargetProblem } from '@arca/contracts';
import { BadRequestException, Body, Controller, Delete, Get, Param, PipeTransform, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentCaller } from './auth/caller';
import { InstallationRoute, Roles } from './auth/roles';
import { GatewayEvents } from './gateway-events';
import { ServiceClient } from './service-client';

/** A site or tenant in the path, checked before it is forwarded (`..` would become a segment of the internal URL). */
const target = (scope: 'site' | 'tenant'): PipeTransform<string, string> => ({
  transform(value: string) {
    const problem = quotaTargetProblem(scope, value);
    if (problem) throw new BadRequestException(problem);
    return value;
  },
});

interface QuotaAnswer {
  quota: { scope: string; name: string; bytes: number; updatedBy: string; updatedAt: string };
  previousBytes: number | null;
}

/**
 * Storage quotas the storage forecast measures against (GET /reports/storage-forecast): a site's
 * (every tenant's bytes there) and a tenant's (its bytes at a site). Everyone may read the quotas
 * of their own tenant; setting and removing them is for admins of the installation's tenant, and
 * audited with the bytes before and after.
 */
@ApiTags('reports')
@Controller('quotas')
export class QuotasController {
  constructor(private readonly services: ServiceClient, private readonly events: GatewayEvents) {}

  @Get()
  @Roles('admin', 'operator', 'auditor')
  @ApiOperation({ summary: "The quotas set: the caller's tenant's, and for the default tenant every site's and tenant's" })
  list(@CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/quotas', caller.tenant);
  }

  @Put('sites/:site')
  @Roles('admin')
  @InstallationRoute()
  @ApiOperation({ summary: "Set a site's quota (bytes every tenant together may store there: primary or a replica site); audited as quota.set" })
  setSite(@Param('site', target('site')) site: string, @Body() request: PutQuotaRequest, @CurrentCaller() caller: Caller) {
    return this.set(caller, 'sites', site, request);
  }

  @Put('tenants/:tenant')
  @Roles('admin')
  @InstallationRoute()
  @ApiOperation({ summary: "Set a tenant's quota (bytes it may store at a site); audited as quota.set" })
  setTenant(@Param('tenant', target('tenant')) tenant: string, @Body() request: PutQuotaRequest, @CurrentCaller() caller: Caller) {
    return this.set(caller, 'tenants', tenant, request);
  }

  @Delete('sites/:site')
  @Roles('admin')
  @InstallationRoute()
  @ApiOperation({ summary: "Remove a site's quota; 404 when none is set; audited as quota.removed" })
  removeSite(@Param('site', target('site')) site: string, @CurrentCaller() caller: Caller) {
    return this.remove(caller, 'sites', site);
  }

  @Delete('tenants/:tenant')
  @Roles('admin')
  @InstallationRoute()
  @ApiOperation({ summary: "Remove a tenant's quota; 404 when none is set; audited as quota.removed" })
  removeTenant(@Param('tenant', target('tenant')) tenant: string, @CurrentCaller() caller: Caller) {
    return this.remove(caller, 'tenants', tenant);
  }

  private async set(caller: Caller, scope: 'sites' | 'tenants', name: string, request: PutQuotaRequest) {
    const result = (await this.services.request<QuotaAnswer>('reporting', `/quotas/${scope}/${encodeURIComponent(name)}`, {
      method: 'PUT', body: { bytes: request.bytes, updatedBy: caller.actor }, actor: caller.actor, tenant: caller.tenant,
    })).body;
    await this.events.audit(caller, 'quota.set', `${result.quota.scope}:${name}`, { bytes: result.quota.bytes, previousBytes: result.previousBytes });
    return result.quota;
  }

  private async remove(caller: Caller, scope: 'sites' | 'tenants', name: string) {
    const result = (await this.services.request<{ scope: string; name: string; removed: boolean }>('reporting', `/quotas/${scope}/${encodeURIComponent(name)}`, {
      method: 'DELETE', actor: caller.actor, tenant: caller.tenant,
    })).body;
    await this.events.audit(caller, 'quota.removed', `${result.scope}:${name}`);
    return result;
  }
}
