import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsPort, IsString, Matches } from 'class-validator';

export class ReplicationEnv extends CommonEnv {
  @IsPort({ message: portMessage('REPLICATION_PORT') })
  REPLICATION_PORT = '3006';

  /** The name the secondary site is reported under. */
  @IsString()
  @Matches(/^[\w.-]{1,64}$/, { message: 'REPLICA_SITE_NAME must be 1-64 letters, digits, "_", "-" or "."' })
  REPLICA_SITE_NAME = 'replica';
}
