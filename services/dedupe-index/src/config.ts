import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsPort } from 'class-validator';

export class DedupeIndexEnv extends CommonEnv {
  @IsPort({ message: portMessage('DEDUPE_INDEX_PORT') })
  DEDUPE_INDEX_PORT = '3004';
}
