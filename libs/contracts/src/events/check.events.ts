import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { IsArray, IsInt, IsUUID, Max, Min } from 'class-validator';

/** check.requested: read back packs and verify every chunk the snapshots reference. */
export class CheckRequested {
  @IsUUID() jobId: string;
  /** Share of packs to read (100 = all). */
  @IsInt() @Min(1) @Max(100) percent: number;
}

export class CheckCompleted {
  @IsUUID() jobId: string;
  @IsInt() @Min(0) packsChecked: number;
  @IsInt() @Min(0) chunksChecked: number;
  /** Each damaged chunk with the pack holding it and the snapshots and files it affects. */
  @IsArray() damaged: Array<{ chunkId: string; packKey: string; reason: string; snapshots: string[]; files: string[] }>;
  @IsInt() @Min(0) durationMs: number;
}
