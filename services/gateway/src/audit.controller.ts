import { AuditExportQuery, AuditQuery } from '@arca/contracts';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Caller, CurrentCaller } from './auth/caller';
import { Roles } from './auth/roles';
import { ServiceClient } from './service-client';

/** The audit log, kept by reporting as a hash chain: for auditors (and admins), not operators, who are what it watches. */
@ApiTags('audit')
@Roles('auditor')
@Controller('audit')
export class AuditController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @ApiOperation({ summary: 'The newest audit entries' })
  list(@Query() query: AuditQuery, @CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/audit', caller.tenant, { limit: query.limit });
  }

  @Get('verify')
  @ApiOperation({ summary: "Walk the audit log's hash chain from the first entry; names the first entry that does not match" })
  verify(@CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/audit/verify', caller.tenant);
  }

  @Get('export')
  @ApiOperation({ summary: 'The whole audit log in chain order, as JSON or CSV' })
  async export(@Query() query: AuditExportQuery, @Res() res: Response, @CurrentCaller() caller: Caller): Promise<void> {
    await this.services.relay('reporting', '/audit/export', { query: { format: query.format ?? 'json' }, tenant: caller.tenant }, res, 'the audit export');
  }
}
