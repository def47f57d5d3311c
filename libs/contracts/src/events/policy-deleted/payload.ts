import { IsInt, IsUUID, Min } from 'class-validator';

/** policy.deleted: no more scheduled backups; existing snapshots stay until retention prunes them. */
export class PolicyDeleted {
  @IsUUID() policyId: string;
  /** The version the deletion supersedes plus one, so it orders after every policy.changed. */
  @IsInt() @Min(1) version: number;
}
