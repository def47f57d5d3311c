import { IsBoolean, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/**
 * prune.requested: apply retention and delete packs no kept snapshot references. Forgetting
 * snapshots is cheap and announced one by one (snapshot.forgotten); deleting packs is the costly part.
 */
export class PruneRequested {
  @IsUUID() jobId: string;
  /** Limit retention to one policy's snapshots; absent means every policy. */
  @IsOptional() @IsUUID() policyId?: string;
  /** Report what would be forgotten and deleted without changing anything. */
  @IsOptional() @IsBoolean() dryRun?: boolean;
  /** Repack packs with more than this percentage of unreferenced bytes (a policy's prune schedule passes its own). */
  @IsOptional() @IsInt() @Min(0) @Max(100) maxUnusedPercent?: number;
}
