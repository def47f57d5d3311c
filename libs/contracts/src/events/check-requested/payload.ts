import { IsBoolean, IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/** check.requested: read back packs and verify every chunk the snapshots reference. */
export class CheckRequested {
  @IsUUID() jobId: string;
  /** Share of packs to read (100 = all); the rest is checked for presence only. */
  @IsInt() @Min(1) @Max(100) percent: number;
  /** Then forget the damaged and missing chunks in the dedupe index, so the next backup stores them again. */
  @IsOptional() @IsBoolean() repair?: boolean;
  /** The site whose packs are read back (absent: primary); at the replica, the snapshots whose manifest is there. */
  @IsOptional() @IsIn(['primary', 'replica']) site?: 'primary' | 'replica';
}
