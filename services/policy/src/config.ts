import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsPort, IsString, MinLength } from 'class-validator';

export class PolicyEnv extends CommonEnv {
  @IsPort({ message: portMessage('POLICY_PORT') })
  POLICY_PORT = '3001';

  /** Encrypts the passwords of sources the policy service keeps (policy_secrets); `npm start` makes one. */
  @IsString({ message: 'ARCA_SECRETS_KEY must be set: it encrypts the passwords of PostgreSQL sources at rest' })
  @MinLength(16, { message: 'ARCA_SECRETS_KEY must be at least 16 characters' })
  ARCA_SECRETS_KEY: string = undefined as unknown as string;
}
