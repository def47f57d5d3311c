import {
  ChunkIdsRequest, ForgetChunksRequest, PackKeysRequest, PackListRequest, PackListResponse, PackPageRequest, PackPageResponse, PackStateRequest, PackStateResponse, ForgetChunksResponse, LocateResponse, LookupResponse, PackChunksResponse, PackKeyRequest, RecordPackRequest,
} from '@arca/contracts';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerTenant } from '@arca/service-kit';
import { ChunkIndexService } from './chunk-index.service';

/**
 * Internal API for ingest workers: batched dedupe lookups, chunk locations, pack registration,
 * repair. Lookups, locations and new chunk rows are the calling tenant's (x-arca-tenant, set by
 * ingest from the job's tenant). Chunk ids travel as base64 bytes (libs/contracts/src/http/chunk-index.ts, which also
 * holds each route's body limit).
 */
@ApiTags('chunk index')
@Controller()
export class ChunkIndexController {
  constructor(private readonly index: ChunkIndexService) {}

  @Post('chunks/lookup')
  @HttpCode(200)
  @ApiOperation({ summary: 'Which of these chunk ids the repository does not hold yet' })
  lookup(@Body() body: ChunkIdsRequest, @CallerTenant() tenant: string): Promise<LookupResponse> {
    return this.index.lookup(tenant, body.ids);
  }

  @Post('chunks/locate')
  @HttpCode(200)
  @ApiOperation({ summary: 'The pack, offset and length of each chunk id' })
  locate(@Body() body: ChunkIdsRequest, @CallerTenant() tenant: string): Promise<LocateResponse> {
    return this.index.locate(body.allTenants === true ? undefined : tenant, body.ids, body.live === true);
  }

  @Post('chunks/forget')
  @HttpCode(200)
  @ApiOperation({ summary: 'Forget chunks a check found damaged or missing in the given packs (check --repair), so the next backup stores them again' })
  forget(@Body() body: ForgetChunksRequest): Promise<ForgetChunksResponse> {
    return this.index.forget(body);
  }

  @Post('packs')
  @HttpCode(204)
  @ApiOperation({ summary: 'Record a stored pack and the chunks it holds' })
  recordPack(@Body() body: RecordPackRequest, @CallerTenant() tenant: string): Promise<void> {
    return this.index.recordPack(tenant, body);
  }

  @Post('packs/state')
  @HttpCode(200)
  @ApiOperation({ summary: "A prune moves packs between states: live → condemned (lookups stop seeing their chunks), condemned → live (rescued) or deleting (chunk rows removed)" })
  setPackState(@Body() body: PackStateRequest): Promise<PackStateResponse> {
    return this.index.setPackState(body.keys, body.state, body.jobId);
  }

  @Post('packs/forget')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove packs in state deleting whose objects a prune has deleted' })
  forgetPacks(@Body() body: PackKeysRequest): Promise<void> {
    return this.index.forgetPacks(body.keys);
  }

  @Post('packs/page')
  @HttpCode(200)
  @ApiOperation({ summary: 'Packs in key order with the chunks the index places in each (a prune reads the whole index page by page)' })
  packPage(@Body() body: PackPageRequest): Promise<PackPageResponse> {
    return this.index.packPage(body.after);
  }

  @Post('packs/list')
  @HttpCode(200)
  @ApiOperation({ summary: 'Every pack in one state (a prune resuming an interrupted one)' })
  packsIn(@Body() body: PackListRequest): Promise<PackListResponse> {
    return this.index.packsIn(body.state);
  }

  @Post('packs/chunks')
  @HttpCode(200)
  @ApiOperation({ summary: 'The chunk ids the index places in a pack (for check, when a pack header is unreadable)' })
  packChunks(@Body() body: PackKeyRequest): Promise<PackChunksResponse> {
    return this.index.packChunks(body.key);
  }

  @Get('stats')
  stats() {
    return this.index.stats();
  }
}
