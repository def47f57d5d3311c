import { STREAM_NAME, STREAM_NAME_RULE, TOPICS } from '@arca/contracts';
import { Restorer } from '@arca/datapath';
import { Outbox } from '@arca/messaging';
import { CallerTenant } from '@arca/service-kit';
import { currentTraceHeaders } from '@arca/telemetry';
import { BadRequestException, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { BackupRunner } from './backup.runner';
import { JobLease, LEASE_SECONDS, WORKER } from './job-queue.service';
import { JobWorkerService } from './job-worker.service';
import { IngestJobEntity } from './entities/ingest-job.entity';
import { RepositoryAccess } from './repository-access';
import { SnapshotCatalogService } from './snapshot-catalog.service';

/** Internal API behind the gateway's snapshot endpoints and stream uploads: the calling tenant's snapshots only (x-arca-tenant). */
@Controller()
export class SnapshotsController {
  constructor(
    private readonly catalog: SnapshotCatalogService,
    private readonly repo: RepositoryAccess,
    private readonly outbox: Outbox,
    private readonly dataSource: DataSource,
    private readonly backups: BackupRunner,
    private readonly worker: JobWorkerService,
  ) {}

  @Get('snapshots')
  list(@CallerTenant() tenant: string, @Query('policyId') policyId?: string, @Query('sourcePath') sourcePath?: string) {
    return this.catalog.list(tenant, { policyId, sourcePath });
  }

  @Get('snapshots/:id')
  get(@Param('id') id: string, @CallerTenant() tenant: string) {
    return this.catalog.get(tenant, id);
  }

  @Get('snapshots/:id/tree')
  tree(@Param('id') id: string, @CallerTenant() tenant: string, @Query('path') path = '/') {
    return this.catalog.tree(tenant, id, path);
  }

  @Get('snapshots/:id/file')
  async file(@Param('id') id: string, @Query('path') path: string, @CallerTenant() tenant: string, @Res() res: Response): Promise<void> {
    if (!path) throw new BadRequestException('path is required');
    const manifest = await this.catalog.manifest(await this.catalog.get(tenant, id));
    const restorer = new Restorer(this.repo.keys.keyFor(tenant), this.repo.chunkSource(tenant));
    res.setHeader('content-type', 'application/octet-stream');
    try {
      await restorer.restoreFileToStream(manifest, path, res);
      res.end();
    } catch (error) {
      if (!res.headersSent) {
        const status = /not a file/.test((error as Error).message) ? 404 : 500;
        res.status(status).json({ statusCode: status, message: (error as Error).message });
      } else {
        res.destroy(error as Error); // a damaged chunk mid-stream: the client sees a broken transfer, never wrong bytes
      }
    }
  }

  @Get('files/versions')
  versions(@Query('sourcePath') sourcePath: string, @Query('path') path: string, @CallerTenant() tenant: string) {
    if (!sourcePath || !path) throw new BadRequestException('sourcePath and path are required');
    return this.catalog.versions(tenant, sourcePath, path);
  }

  /** A byte-stream backup: the request body goes through the data path as it arrives. */
  @Post('streams')
  @HttpCode(202)
  async stream(@Req() req: Request, @Query('name') name: string, @CallerTenant() tenant: string, @Headers('x-arca-actor') actor = 'anonymous') {
    if (!name || !STREAM_NAME.test(name)) throw new BadRequestException(STREAM_NAME_RULE);
    const jobId = randomUUID();
    const source = { kind: 'stream' as const, name };
    const request = { jobId, source, trigger: 'manual' as const };
    // Held like a worker's job (leased, renewed): should this process die mid-upload, a worker
    // restarted on this host fails the job with the reason, instead of leaving it running.
    const lease: JobLease = { id: jobId, attempt: 1, tenant };
    await this.dataSource.transaction(async (m) => {
      await m.insert(IngestJobEntity, {
        id: jobId, tenant, kind: 'backup', request, traceHeaders: currentTraceHeaders(), status: 'running', attempts: lease.attempt, worker: WORKER,
        leaseUntil: () => `now() + interval '${LEASE_SECONDS} seconds'`,
      });
      await this.outbox.enqueue(m, TOPICS.backupRequested, request, { jobId, actor, tenant });
    });
    try {
      const snapshot = await this.worker.hold(lease, () => this.backups.run(lease, request, { name, body: req }));
      return { jobId, snapshotId: snapshot.id };
    } catch (error) {
      // The upload ran here, not in a worker: record the failure the way a worker would.
      await this.worker.recordFailure(lease, { kind: 'backup', request }, error);
      throw error;
    }
  }
}
