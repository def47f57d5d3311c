import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsNumberString, IsOptional, IsPort, IsString, MinLength } from 'class-validator';

export class IngestEnv extends CommonEnv {
  @IsPort({ message: portMessage('INGEST_PORT') })
  INGEST_PORT = '3003';

  /** Unlocks the repository key (created with it on first start). */
  @IsString({ message: 'ARCA_PASSPHRASE must be set: it unlocks the repository key' })
  @MinLength(8, { message: 'ARCA_PASSPHRASE must be at least 8 characters' })
  ARCA_PASSPHRASE: string = undefined as unknown as string;

  /** Jobs one worker runs at once. */
  @IsNumberString({}, { message: 'INGEST_CONCURRENCY must be a number' })
  INGEST_CONCURRENCY = '1';

  /** Target pack size in bytes (objects stay under S3 single-PUT limits). */
  @IsOptional()
  @IsNumberString({}, { message: 'ARCA_PACK_SIZE must be a number of bytes' })
  ARCA_PACK_SIZE: string | undefined = undefined;
}
