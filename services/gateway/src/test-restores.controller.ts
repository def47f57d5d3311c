import { TOPICS, VerifyRestoreRequest } from '@arca/contracts';
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { Caller, CurrentCaller } from './auth/caller';
import { Roles } from './auth/roles';
import { GatewayEvents } from './gateway-events';
import { ServiceClient } from './service-client';
import { uuidParam } from './uuid-param';

/** Test restores on request (a policy's verifyRestore schedule runs them too): a job like any other, followed with GET /jobs/:id. */
@ApiTags('policies')
@Controller('policies')
export class TestRestoresController {
  constructor(private readonly services: ServiceClient, private readonly events: GatewayEvents) {}

  @Post(':id/verify-restore')
  @Roles('operator')
  @HttpCode(202)
  @ApiOperation({ summary: "Test restore now: restore a random sample of the policy's newest snapshot (or all of it, sample 0) to scratch, verify every byte, time it, remove it; restore.verified or restore.verification_failed" })
  async verify(@Param('id', uuidParam('policy id')) id: string, @Body() request: VerifyRestoreRequest, @CurrentCaller() caller: Caller): Promise<{ jobId: string }> {
    await this.services.get('policy', `/policies/${id}`, caller.tenant); // 404 for a policy that is not the caller's
    const jobId = randomUUID();
    await this.events.publish(TOPICS.restoreVerificationRequested, {
      jobId, policyId: id, sample: request.sample ?? 100, trigger: 'manual', ...(request.snapshotId ? { snapshotId: request.snapshotId } : {}),
    }, { jobId, caller, action: 'restore.verify' });
    return { jobId };
  }
}
