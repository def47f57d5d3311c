import { CIPHERS, SLOT_KINDS, VAULT_NAME, VAULT_PATH } from '@arca/datapath';
import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsIn, IsNumberString, IsOptional, IsPort, IsString, IsUrl, Matches, MinLength, ValidateIf } from 'class-validator';

const vaultWanted = (env: IngestEnv) => env.ARCA_KEY_PROVIDER === 'vault-transit' || !!env.ARCA_VAULT_ADDR || !!env.ARCA_VAULT_TOKEN;

export class IngestEnv extends CommonEnv {
  @IsPort({ message: portMessage('INGEST_PORT') })
  INGEST_PORT = '3003';

  /** What unlocks the repository key at start (and makes it on first start): passphrase, local-key or vault-transit. */
  @IsIn(SLOT_KINDS, { message: `ARCA_KEY_PROVIDER must be one of ${SLOT_KINDS.join(', ')}` })
  ARCA_KEY_PROVIDER = 'passphrase';

  /** Unlocks the repository key (created with it on first start) when ARCA_KEY_PROVIDER is passphrase. */
  @ValidateIf((env: IngestEnv) => env.ARCA_KEY_PROVIDER === 'passphrase' || env.ARCA_PASSPHRASE !== undefined)
  @IsString({ message: 'ARCA_PASSPHRASE must be set: it unlocks the repository key' })
  @MinLength(8, { message: 'ARCA_PASSPHRASE must be at least 8 characters' })
  ARCA_PASSPHRASE: string | undefined = undefined;

  /** A file of 32 random bytes (raw or base64) that unlocks the repository key when ARCA_KEY_PROVIDER is local-key. */
  @ValidateIf((env: IngestEnv) => env.ARCA_KEY_PROVIDER === 'local-key')
  @IsString({ message: 'ARCA_LOCAL_KEY_FILE must name the local key file when ARCA_KEY_PROVIDER is local-key' })
  ARCA_LOCAL_KEY_FILE: string | undefined = undefined;

  /** HashiCorp Vault's address, for vault-transit slots. */
  @ValidateIf(vaultWanted)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'ARCA_VAULT_ADDR must be the http(s) URL of Vault (with ARCA_KEY_PROVIDER=vault-transit or ARCA_VAULT_TOKEN set)' })
  ARCA_VAULT_ADDR: string | undefined = undefined;

  @ValidateIf(vaultWanted)
  @IsString({ message: 'ARCA_VAULT_TOKEN must be set (a Vault token allowed to encrypt and decrypt with the Transit key)' })
  @MinLength(1)
  ARCA_VAULT_TOKEN: string | undefined = undefined;

  /** The Transit key that wraps the master key (new vault-transit slots; unlocking tries every vault-transit slot). */
  @Matches(VAULT_NAME, { message: 'ARCA_VAULT_TRANSIT_KEY must be 1-128 letters, digits, _ . -' })
  ARCA_VAULT_TRANSIT_KEY = 'arca';

  @Matches(VAULT_PATH, { message: 'ARCA_VAULT_TRANSIT_MOUNT must be a Vault path of letters, digits, _ and -' })
  ARCA_VAULT_TRANSIT_MOUNT = 'transit';

  @IsOptional() @IsString()
  ARCA_VAULT_NAMESPACE: string | undefined = undefined;

  /** The cipher of a repository created by this start; an existing repository keeps the one its key file names. */
  @IsIn(CIPHERS, { message: `ARCA_CIPHER must be one of ${CIPHERS.join(', ')}` })
  ARCA_CIPHER = 'aes-256-gcm';

  /** Jobs one worker runs at once. */
  @IsNumberString({}, { message: 'INGEST_CONCURRENCY must be a number' })
  INGEST_CONCURRENCY = '1';

  /** Target pack size in bytes (objects stay under S3 single-PUT limits). */
  @IsOptional()
  @IsNumberString({}, { message: 'ARCA_PACK_SIZE must be a number of bytes' })
  ARCA_PACK_SIZE: string | undefined = undefined;
}
