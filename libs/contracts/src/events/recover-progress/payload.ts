import { IsIn, IsInt, IsOptional, IsUUID, Min } from 'class-validator';

/**
 * The steps of a recovery, in order: copy (from the replica back to the primary), packs (read
 * every pack header), snapshots (open every manifest), trees (walk each snapshot's tree to learn
 * whose chunks are whose), index (register the packs), policies (bring back the sealed policy
 * records), catalogue (record the snapshots).
 */
export const RECOVER_PHASES = ['copy', 'packs', 'snapshots', 'trees', 'index', 'policies', 'catalogue'] as const;
export type RecoverPhase = (typeof RECOVER_PHASES)[number];

/** recover.progress: the step a running recovery is in, and how far. */
export class RecoverProgress {
  @IsUUID() jobId: string;
  @IsIn(RECOVER_PHASES) phase: RecoverPhase;
  @IsInt() @Min(0) done: number;
  @IsOptional() @IsInt() @Min(0) total?: number;
}
