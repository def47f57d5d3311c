import { IsBoolean, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/**
 * prune.requested: reclaim space: delete packs no live snapshot references, repack packs that are
 * mostly unreferenced, and remove their chunks from the dedupe index. Retention (forgetting
 * snapshots) is its own step, run after each backup of a policy and on POST /policies/:id/forget.
 */
export class PruneRequested {
  @IsUUID() jobId: string;
  /** Which policy's prune schedule asked for it; a prune always reclaims across the whole repository (dedupe is global). */
  @IsOptional() @IsUUID() policyId?: string;
  /** Report what would be deleted and rewritten without changing anything. */
  @IsOptional() @IsBoolean() dryRun?: boolean;
  /**
   * Unused bytes tolerated after the prune, as a share of the bytes stored (restic's --max-unused,
   * default 5): packs with the most unused space are rewritten until the rest is within it.
   */
  @IsOptional() @IsInt() @Min(0) @Max(100) maxUnusedPercent?: number;
  /**
   * Also rewrite every pack sealed under an older master key generation than the newest, so its
   * chunks are sealed under the newest (`arca keys master reseal`).
   */
  @IsOptional() @IsBoolean() resealOldGenerations?: boolean;
}
