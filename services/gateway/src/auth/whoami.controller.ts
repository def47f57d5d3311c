import { Controller, Get, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorOf, AuthenticatedRequest } from './principal';
import { Roles } from './roles';

/**
 * Who the caller is and what its roles are, so a client (the console) can show only what those
 * roles allow. Every role may ask; what it may then do is still decided route by route by AccessGuard.
 */
@ApiTags('keys')
@Controller('whoami')
export class WhoamiController {
  @Get()
  @Roles('operator', 'auditor')
  @ApiOperation({ summary: 'The authenticated caller: how it signed in (API key or OIDC token), its name, roles and tenant' })
  whoami(@Req() request: AuthenticatedRequest) {
    const p = request.principal!;
    return { actor: actorOf(p), type: p.type, id: p.id, name: p.name, roles: p.roles, tenant: p.tenant };
  }
}
