import { IsIn, IsInt, IsOptional, IsUUID, Min } from 'class-validator';

/** The steps of a prune, in order (docs/architecture.md, "Prune"). */
export const PRUNE_PHASES = ['mark', 'plan', 'repack', 'condemn', 'wait', 'recheck', 'sweep', 'purge'] as const;
export type PrunePhase = (typeof PRUNE_PHASES)[number];

/** prune.progress: which step a prune is in, and how far. */
export class PruneProgress {
  @IsUUID() jobId: string;
  @IsIn(PRUNE_PHASES) phase: PrunePhase;
  /** Snapshots walked (mark), packs planned, rewritten or deleted so far, in this phase. */
  @IsInt() @Min(0) done: number;
  @IsOptional() @IsInt() @Min(0) total?: number;
}
