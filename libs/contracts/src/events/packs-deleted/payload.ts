import { ArrayMaxSize, IsArray, IsInt, IsUUID, Matches, Min } from 'class-validator';
import { PACK_KEY } from '../../common/ids';

/** At most this many keys a message, so one stays far below Kafka's 1 MB default. */
export const PACKS_DELETED_BATCH = 1000;

/** packs.deleted: a prune deleted these pack objects from the primary site (usage accounting and the replica follow). */
export class PacksDeleted {
  @IsUUID() jobId: string;
  @IsArray() @ArrayMaxSize(PACKS_DELETED_BATCH) @Matches(PACK_KEY, { each: true }) packKeys: string[];
  @IsInt() @Min(0) bytes: number;
}
