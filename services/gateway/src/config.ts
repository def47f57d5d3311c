import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsPort } from 'class-validator';

export class GatewayEnv extends CommonEnv {
  @IsPort({ message: portMessage('GATEWAY_PORT') })
  GATEWAY_PORT = '3000';
}
