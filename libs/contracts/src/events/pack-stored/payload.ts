import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { PACK_KEY } from '../../common/ids';

/** pack.stored: a pack object was written; the bytes are in the object store, never on Kafka. */
export class PackStored {
  @IsUUID() jobId: string;
  @Matches(PACK_KEY, { message: 'packKey must be data/<2 hex>/<64 hex>' }) packKey: string;
  /** Bytes of the pack object as stored (compressed, encrypted, with its header). */
  @IsInt() @Min(1) size: number;
  @IsInt() @Min(1) chunkCount: number;
  /** Raw bytes of the chunks the pack holds, before compression. */
  @IsInt() @Min(0) rawBytes: number;
  /** The repository (object-store site) written to; absent means the primary site. */
  @IsOptional() @IsString() @MaxLength(100) repository?: string;
  @IsOptional() @IsUUID() policyId?: string;
  /** Set when a prune wrote this pack with chunks it moved out of mostly unused packs: replication copies it at once, since no new snapshot will name it. */
  @IsOptional() @IsBoolean() rewrite?: boolean;
}
