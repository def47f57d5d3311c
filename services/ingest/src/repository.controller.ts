import { ChangePassphraseRequest } from '@arca/contracts';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RepositoryKeyService } from './repository-key.service';

/** Internal API behind the gateway's POST /repository/passphrase. */
@Controller('repository')
export class RepositoryController {
  constructor(private readonly keys: RepositoryKeyService) {}

  @Post('passphrase')
  @HttpCode(200)
  changePassphrase(@Body() request: ChangePassphraseRequest) {
    return this.keys.changePassphrase(request.oldPassphrase, request.newPassphrase);
  }
}
