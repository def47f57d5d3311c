import { AddKeySlotRequest, ChangePassphraseRequest } from '@arca/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { RepositoryKeyService } from './repository-key.service';

/** Internal API behind the gateway's POST /repository/passphrase and /repository/key-slots. */
@Controller('repository')
export class RepositoryController {
  constructor(private readonly keys: RepositoryKeyService) {}

  @Post('passphrase')
  @HttpCode(200)
  changePassphrase(@Body() request: ChangePassphraseRequest) {
    return this.keys.changePassphrase(request.oldPassphrase, request.newPassphrase);
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
}
