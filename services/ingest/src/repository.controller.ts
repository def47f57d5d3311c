import { AddKeySlotRequest, ChangePassphraseRequest, RecoverRequest } from '@arca/contracts';
import { injectTraceHeaders } from '@arca/telemetry';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { JobWorkerService } from './job-worker.service';
import { RecoverRunner } from './recover.runner';
import { RepositoryKeyService } from './repository-key.service';

/** Internal API behind the gateway's POST /repository/passphrase, /repository/key-slots and POST /repository/recover. */
@Controller('repository')
export class RepositoryController {
  constructor(private readonly keys: RepositoryKeyService, private readonly recoveries: RecoverRunner, private readonly worker: JobWorkerService) {}

  @Post('passphrase')
  @HttpCode(200)
  changePassphrase(@Body() request: ChangePassphraseRequest) {
    return this.keys.changePassphrase(request.oldPassphrase, request.newPassphrase);
  }

  /** Each master key generation: created at, packs and bytes still under it, its nonce budget. */
  @Get('keys')
  keysReport() {
    return this.keys.keysReport();
  }

  @Post('key-rotation')
  @HttpCode(201)
  rotate() {
    return this.keys.rotate();
  }

  @Get('key-slots')
  listSlots() {
    return this.keys.listSlots();
  }

  @Post('key-slots')
  @HttpCode(201)
  addSlot(@Body() request: AddKeySlotRequest) {
    return this.keys.addSlot(request);
  }

  @Delete('key-slots/:slot')
  @HttpCode(200)
  revokeSlot(@Param('slot') slot: string) {
    return this.keys.revokeSlot(slot);
  }

  /** Queues a recovery (409 while the catalogue holds snapshots, unless merging); the job continues the caller's trace. */
  @Post('recover')
  @HttpCode(202)
  async recover(@Body() request: RecoverRequest): Promise<{ jobId: string }> {
    const queued = await this.recoveries.request(request, injectTraceHeaders({} as Record<string, string>));
    this.worker.notify();
    return queued;
  }
}
