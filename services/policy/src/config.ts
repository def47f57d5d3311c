import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsPort } from 'class-validator';

export class PolicyEnv extends CommonEnv {
  @IsPort({ message: portMessage('POLICY_PORT') })
  POLICY_PORT = '3001';
}
