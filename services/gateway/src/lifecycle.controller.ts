import { ForgetRequest, HoldRequest, PruneRequest, TOPICS } from '@arca/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { Caller, CurrentCaller } from './auth/caller';
import { InstallationRoute, Roles } from './auth/roles';
import { GatewayEvents } from './gateway-events';
import { ServiceClient } from './service-client';
import { snapshotIdParam, uuidParam } from './uuid-param';

/** The snapshot lifecycle: retention (forget), legal holds, prune. The catalogue is ingest's; prunes run as jobs over Kafka. */
@ApiTags('lifecycle')
@Controller()
export class LifecycleController {
  constructor(private readonly services: ServiceClient, private readonly events: GatewayEvents) {}

  @Get('policies/:id/retention/preview')
  @Roles('operator', 'auditor')
  @ApiOperation({ summary: "What the policy's retention would forget now, and for every snapshot that stays, the rules (or the hold) that keep it" })
  preview(@Param('id', uuidParam('policy id')) id: string, @CurrentCaller() caller: Caller) {
    return this.services.get('ingest', `/policies/${id}/retention/preview`, caller.tenant);
  }

  @Post('policies/:id/forget')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: "Apply the policy's retention now: forget the snapshots no rule keeps (dryRun: only list them)" })
  async forget(@Param('id', uuidParam('policy id')) id: string, @Body() request: ForgetRequest, @CurrentCaller() caller: Caller) {
    const plan = (await this.services.request<{ forget: Array<{ snapshotId: string }> }>('ingest', `/policies/${id}/forget`, { method: 'POST', body: request, actor: caller.actor, tenant: caller.tenant })).body;
    if (!request.dryRun) await this.events.audit(caller, 'snapshot.forget', id, { forgotten: plan.forget.map((f) => f.snapshotId) });
    return plan;
  }

  @Post('snapshots/:id/hold')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Place a legal hold: the snapshot is never forgotten or pruned until the hold is released' })
  async hold(@Param('id', snapshotIdParam) id: string, @Body() request: HoldRequest, @CurrentCaller() caller: Caller) {
    const snapshot = (await this.services.request<{ id: string }>('ingest', `/snapshots/${encodeURIComponent(id)}/hold`, { method: 'POST', body: request, actor: caller.actor, tenant: caller.tenant })).body;
    await this.events.audit(caller, 'snapshot.hold', snapshot.id, { reason: request.reason });
    return snapshot;
  }

  @Delete('snapshots/:id/hold')
  @Roles('operator')
  @ApiOperation({ summary: 'Release a legal hold (with the reason, for the audit log)' })
  async release(@Param('id', snapshotIdParam) id: string, @Body() request: HoldRequest, @CurrentCaller() caller: Caller) {
    const snapshot = (await this.services.request<{ id: string }>('ingest', `/snapshots/${encodeURIComponent(id)}/hold`, { method: 'DELETE', actor: caller.actor, tenant: caller.tenant })).body;
    await this.events.audit(caller, 'snapshot.release', snapshot.id, { reason: request.reason });
    return snapshot;
  }

  @Post('prune')
  @Roles('operator')
  @InstallationRoute()
  @HttpCode(202)
  @ApiOperation({ summary: 'Reclaim space: delete packs no live snapshot references and rewrite mostly unused ones (a job; follow it with GET /jobs/:id)' })
  async prune(@Body() request: PruneRequest, @CurrentCaller() caller: Caller): Promise<{ jobId: string }> {
    const jobId = randomUUID();
    await this.events.publish(TOPICS.pruneRequested, {
      jobId, ...(request.dryRun ? { dryRun: true } : {}), ...(request.maxUnusedPercent !== undefined ? { maxUnusedPercent: request.maxUnusedPercent } : {}),
      ...(request.reseal ? { resealOldGenerations: true } : {}),
    }, { jobId, caller, action: request.dryRun ? 'prune.dry_run' : 'prune.run' });
    return { jobId };
  }
}
