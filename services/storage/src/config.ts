import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsPort } from 'class-validator';

export class StorageEnv extends CommonEnv {
  @IsPort({ message: portMessage('STORAGE_PORT') })
  STORAGE_PORT = '3005';
}
