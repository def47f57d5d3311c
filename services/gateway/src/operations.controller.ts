import { ChangePassphraseRequest, CheckRequest, HistoryQuery, RecoverRequest, STREAM_NAME, STREAM_NAME_RULE, TENANT_HEADER, TOPICS } from '@arca/contracts';
import { BadRequestException, Body, Controller, Get, HttpCode, HttpException, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { serviceUrl } from '@arca/service-kit';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Caller, CurrentCaller } from './auth/caller';
import { InstallationRoute, Roles } from './auth/roles';
import { GatewayEvents } from './gateway-events';
import { ServiceClient } from './service-client';

@ApiTags('operations')
@Controller()
export class OperationsController {
  constructor(private readonly services: ServiceClient, private readonly events: GatewayEvents) {}

  @Post('check')
  @Roles('operator')
  @InstallationRoute()
  @HttpCode(202)
  @ApiOperation({ summary: 'Read back packs and verify every chunk that snapshots reference; with repair, then forget damaged chunks in the dedupe index so the next backup stores them again' })
  async check(@Body() request: CheckRequest, @CurrentCaller() caller: Caller): Promise<{ jobId: string }> {
    const jobId = randomUUID();
    const repair = request.repair === true;
    // The dedupe index places chunks for the primary site: a repair from what the replica holds would make it forget sound chunks.
    if (repair && request.site === 'replica') throw new BadRequestException(['repair works on the primary site only; check the replica without repair']);
    const site = request.site === 'replica' ? { site: request.site } : {};
    // A repair changes the dedupe index, so the audit log names it apart from a plain check.
    await this.events.publish(TOPICS.checkRequested, { jobId, percent: request.percent ?? 100, ...(repair ? { repair } : {}), ...site }, { jobId, caller, action: repair ? 'check.repair' : undefined });
    return { jobId };
  }

  @Post('streams')
  @Roles('operator')
  @HttpCode(202)
  @ApiOperation({ summary: 'Back up the request body as a named byte stream' })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiQuery({ name: 'name', required: true, schema: { type: 'string', pattern: STREAM_NAME.source } })
  async stream(@Req() request: Request, @Query('name') name: string, @CurrentCaller() caller: Caller) {
    // Checked here too: a name past the URL limit would otherwise be refused by ingest's HTTP server without a word.
    if (!name || !STREAM_NAME.test(name)) throw new BadRequestException(STREAM_NAME_RULE);
    // The body streams straight through to an ingest worker: bulk bytes never touch Kafka.
    const url = new URL(`${serviceUrl('ingest')}/streams`);
    url.searchParams.set('name', name);
    const upstream = await fetch(url, {
      method: 'POST', body: Readable.toWeb(request) as never, duplex: 'half',
      headers: { 'content-type': 'application/octet-stream', 'x-arca-actor': caller.actor, [TENANT_HEADER]: caller.tenant },
    } as RequestInit);
    const body = (await upstream.json().catch(() => ({ message: `ingest answered ${upstream.status} ${upstream.statusText} without a JSON body` }))) as { jobId?: string; message?: string | string[] };
    if (!upstream.ok) throw new HttpException(body, upstream.status);
    return body;
  }

  @Post('repository/passphrase')
  @Roles('admin')
  @InstallationRoute()
  @HttpCode(200)
  @ApiOperation({ summary: "Change the repository passphrase (re-wraps the key; no data is rewritten)" })
  async changePassphrase(@Body() request: ChangePassphraseRequest, @CurrentCaller() caller: Caller) {
    const result = (await this.services.request<{ repositoryId: string }>('ingest', '/repository/passphrase', { method: 'POST', body: request, actor: caller.actor, tenant: caller.tenant })).body;
    await this.events.audit(caller, 'repository.passphrase', result.repositoryId);
    return result;
  }

  @Post('repository/recover')
  @Roles('admin')
  @InstallationRoute()
  @HttpCode(202)
  @ApiOperation({ summary: "Rebuild the snapshot catalogue, the dedupe index and storage accounting from one site's bucket and the passphrase (a job: follow it with GET /jobs/{id}); 409 while the catalogue holds snapshots, unless merge" })
  async recover(@Body() request: RecoverRequest, @CurrentCaller() caller: Caller): Promise<{ jobId: string }> {
    const result = (await this.services.request<{ jobId: string }>('ingest', '/repository/recover', { method: 'POST', body: request, actor: caller.actor, tenant: caller.tenant })).body;
    await this.events.audit(caller, 'repository.recover', result.jobId, { from: request.from ?? 'primary', merge: request.merge === true });
    return result;
  }

    @Get('reports/summary')
  @Roles('operator', 'auditor')
  @ApiOperation({ summary: 'Success rates, storage use, dedupe ratio, RPO compliance, replication lag' })
  async summary(@CurrentCaller() caller: Caller) {
    const [reports, usage, sites] = await Promise.all([
      this.services.get<Record<string, unknown>>('reporting', '/reports/summary', caller.tenant),
      this.services.get<Record<string, unknown>>('storage', '/usage', caller.tenant),
      // Each replica site's lag now (the replication service's queue); the rest of the summary stands without it.
      this.services.get<unknown[]>('replication', '/replication/lag', caller.tenant).then((list) => ({ sites: list }), (error: Error) => ({ sites: null, sitesError: error.message })),
    ]);
    return { ...reports, replication: { ...(reports.replication as Record<string, unknown>), ...sites }, usage };
  }

  @Get('reports/history')
  @Roles('operator', 'auditor')
  @ApiOperation({ summary: "Time series for charts: each completed backup's throughput and ratios, stored bytes over time, success rate per policy" })
  history(@Query() query: HistoryQuery, @CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/reports/history', caller.tenant, { days: query.days });
  }
}
