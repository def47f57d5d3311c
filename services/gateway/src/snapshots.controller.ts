import { Body, Controller, Get, HttpCode, Logger, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RestoreRequest, SnapshotsQuery, TOPICS } from '@arca/contracts';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { Actor } from './actor.decorator';
import { GatewayEvents } from './gateway-events';
import { ServiceClient } from './service-client';

/** Snapshots are catalogued by ingest, which wrote them; restores run as jobs over Kafka. */
@ApiTags('snapshots')
@Controller()
export class SnapshotsController {
  private readonly logger = new Logger('SnapshotsController');

  constructor(private readonly services: ServiceClient, private readonly events: GatewayEvents) {}

  @Get('snapshots')
  list(@Query() query: SnapshotsQuery) {
    return this.services.get('ingest', '/snapshots', { policyId: query.policyId, sourcePath: query.sourcePath });
  }

  @Get('snapshots/:id')
  get(@Param('id') id: string) {
    return this.services.get('ingest', `/snapshots/${encodeURIComponent(id)}`);
  }

  @Get('snapshots/:id/tree')
  @ApiOperation({ summary: 'List a directory inside a snapshot (a path to a file or link lists that one entry)' })
  tree(@Param('id') id: string, @Query('path') path = '/') {
    return this.services.get('ingest', `/snapshots/${encodeURIComponent(id)}/tree`, { path });
  }

  @Get('snapshots/:id/file')
  @ApiOperation({ summary: "Stream one file's bytes out of a snapshot (verified chunk by chunk)" })
  async file(@Param('id') id: string, @Query('path') path: string, @Res() res: Response): Promise<void> {
    const upstream = await this.services.open('ingest', `/snapshots/${encodeURIComponent(id)}/file`, { query: { path } });
    res.status(upstream.status);
    res.setHeader('content-type', upstream.headers.get('content-type') ?? 'application/octet-stream');
    if (!upstream.body) return void res.end();
    try {
      await pipeline(Readable.fromWeb(upstream.body as ReadableStream), res);
    } catch (error) {
      // ingest broke the transfer off (a damaged chunk past the first bytes) or the client left:
      // the client sees a broken transfer, never wrong bytes, and the gateway keeps serving
      this.logger.warn(`streaming ${path} of snapshot ${id} broke off: ${(error as Error).message}`);
    }
  }

  @Get('files/versions')
  @ApiOperation({ summary: "A file's versions across the snapshots of one source" })
  versions(@Query('sourcePath') sourcePath: string, @Query('path') path: string) {
    return this.services.get('ingest', '/files/versions', { sourcePath, path });
  }

  @Post('snapshots/:id/restore')
  @HttpCode(202)
  @ApiOperation({ summary: 'Restore a snapshot (or chosen paths) into a target directory' })
  async restore(@Param('id') id: string, @Body() request: RestoreRequest, @Actor() actor: string): Promise<{ jobId: string }> {
    const snapshot = await this.services.get<{ id: string }>('ingest', `/snapshots/${encodeURIComponent(id)}`);
    const jobId = randomUUID();
    await this.events.publish(TOPICS.restoreRequested, { jobId, snapshotId: snapshot.id, target: request.target, paths: request.paths, ...(request.site ? { site: request.site } : {}) }, { jobId, actor });
    return { jobId };
  }
}
