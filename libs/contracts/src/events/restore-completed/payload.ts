import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsString, IsUUID, Matches, ValidateNested } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';
import { RestoreStats } from './restore-stats';

/** restore.completed: the restore ran to its end; `stats.failedFiles` lists what could not be verified. */
export class RestoreCompleted {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() target: string;
  @ValidateNested() @Type(() => RestoreStats) stats: RestoreStats;
}
