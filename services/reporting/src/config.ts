import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsPort } from 'class-validator';

export class ReportingEnv extends CommonEnv {
  @IsPort({ message: portMessage('REPORTING_PORT') })
  REPORTING_PORT = '3007';
}
