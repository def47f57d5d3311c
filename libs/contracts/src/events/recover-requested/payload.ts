import { IsBoolean, IsIn, IsUUID } from 'class-validator';

/** The object-store sites a recovery reads from. */
export const RECOVER_SITES = ['primary', 'replica'] as const;
export type RecoverSite = (typeof RECOVER_SITES)[number];

/**
 * recover.requested: rebuild the snapshot catalogue, the dedupe index and storage accounting from
 * one site's bucket alone (POST /repository/recover, `arca repository recover`).
 */
export class RecoverRequested {
  @IsUUID() jobId: string;
  /** The bucket read: the replica's when the primary site was lost; `replica` copies what it recovers back to the primary. */
  @IsIn(RECOVER_SITES) from: RecoverSite;
  /** Recover into a catalogue that already has snapshots: only what it lacks is added, nothing it holds is changed. */
  @IsBoolean() merge: boolean;
}
