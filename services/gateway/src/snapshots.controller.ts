import { Body, Controller, Get, HttpCode, Logger, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RestoreRequest, SnapshotsQuery, TOPICS } from '@arca/contracts';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Caller, CurrentCaller } from './auth/caller';
import { Roles } from './auth/roles';
import { GatewayEvents } from './gateway-events';
import { ServiceClient } from './service-client';
import { snapshotIdParam } from './uuid-param';

/** Snapshots are catalogued by ingest, which wrote them; restores run as jobs over Kafka. */
@ApiTags('snapshots')
@Controller()
export class SnapshotsController {
  private readonly logger = new Logger('SnapshotsController');

  constructor(private readonly services: ServiceClient, private readonly events: GatewayEvents) {}

  @Get('snapshots')
  @Roles('operator', 'auditor')
  list(@Query() query: SnapshotsQuery, @CurrentCaller() caller: Caller) {
    return this.services.get('ingest', '/snapshots', caller.tenant, { policyId: query.policyId, sourcePath: query.sourcePath });
  }

  @Get('snapshots/:id')
  @Roles('operator', 'auditor')
  get(@Param('id', snapshotIdParam) id: string, @CurrentCaller() caller: Caller) {
    return this.services.get('ingest', `/snapshots/${encodeURIComponent(id)}`, caller.tenant);
  }

  @Get('snapshots/:id/tree')
  @Roles('operator', 'auditor') // names and sizes, not contents
  @ApiOperation({ summary: 'List a directory inside a snapshot (a path to a file or link lists that one entry)' })
  tree(@Param('id', snapshotIdParam) id: string, @CurrentCaller() caller: Caller, @Query('path') path = '/') {
    return this.services.get('ingest', `/snapshots/${encodeURIComponent(id)}/tree`, caller.tenant, { path });
  }

  @Get('snapshots/:id/file')
  @Roles('operator') // file contents: not for auditors
  @ApiOperation({ summary: "Stream one file's bytes out of a snapshot (verified chunk by chunk)" })
  async file(@Param('id', snapshotIdParam) id: string, @Query('path') path: string, @Res() res: Response, @CurrentCaller() caller: Caller): Promise<void> {
    const sent = await this.services.relay('ingest', `/snapshots/${encodeURIComponent(id)}/file`, { query: { path }, tenant: caller.tenant }, res, `${path} of snapshot ${id}`);
    // A download hands out data, so it is audited like a restore.
    if (sent) await this.events.audit(caller, 'snapshot.file.download', id, { path }).catch((error) => this.logger.warn(`audit record for the download of ${path} not published: ${(error as Error).message}`));
  }

  @Get('files/versions')
  @Roles('operator', 'auditor')
  @ApiOperation({ summary: "A file's versions across the snapshots of one source" })
  versions(@Query('sourcePath') sourcePath: string, @Query('path') path: string, @CurrentCaller() caller: Caller) {
    return this.services.get('ingest', '/files/versions', caller.tenant, { sourcePath, path });
  }

  @Post('snapshots/:id/restore')
  @Roles('operator')
  @HttpCode(202)
  @ApiOperation({ summary: 'Restore a snapshot (or chosen paths) into a target directory' })
  async restore(@Param('id', snapshotIdParam) id: string, @Body() request: RestoreRequest, @CurrentCaller() caller: Caller): Promise<{ jobId: string }> {
    const snapshot = await this.services.get<{ id: string }>('ingest', `/snapshots/${encodeURIComponent(id)}`, caller.tenant);
    const jobId = randomUUID();
    await this.events.publish(TOPICS.restoreRequested, { jobId, snapshotId: snapshot.id, target: request.target, paths: request.paths, ...(request.site ? { site: request.site } : {}) }, { jobId, caller });
    return { jobId };
  }
}
