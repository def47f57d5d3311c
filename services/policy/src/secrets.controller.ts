import { Body, Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { PolicySecretsService } from './policy-secrets.service';

/**
 * Internal only: the gateway never forwards these. The ingest worker that runs a job reads the
 * password of its source here at job time; the scheduler keeps a one-off job's password here.
 */
@Controller('secrets')
export class SecretsController {
  constructor(private readonly secrets: PolicySecretsService) {}

  @Get(':ref')
  get(@Param('ref') ref: string) {
    return this.secrets.get(ref);
  }

  @Put(':ref')
  @HttpCode(204)
  put(@Param('ref') ref: string, @Body() body: { password?: unknown }) {
    return this.secrets.putJobSecret(ref, body?.password);
  }
}
