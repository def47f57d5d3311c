import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** One table of a test-restored database: its schema-qualified name and the rows it held once loaded. */
export class RestoredTable {
  @IsString() @MaxLength(200) name: string;
  @IsInt() @Min(0) rows: number;
}

/**
 * A PostgreSQL source's test restore: the dump was loaded into a scratch database (dropped again
 * afterwards) and queried. `expectedRows`: the rows the dump itself holds (its COPY blocks), which
 * the loaded tables matched.
 */
export class RestoredDatabase {
  /** The scratch database the dump was loaded into, e.g. arca_verify_1a2b3c4d. */
  @IsString() @MaxLength(63) scratchDatabase: string;
  @IsInt() @Min(0) tables: number;
  @IsInt() @Min(0) rows: number;
  @IsInt() @Min(0) expectedRows: number;
  /** Per table, at most the first 200 by name. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => RestoredTable) tableRows: RestoredTable[];
  /** How long loading the dump took (part of durationMs). */
  @IsInt() @Min(0) loadMs: number;
}

/** restore.verified: a test restore restored its sample byte for byte (every chunk checked against its id) and removed it. */
export class RestoreVerified {
  @IsUUID() jobId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  /** The sample asked for (0: the whole snapshot) and what was restored. */
  @IsInt() @Min(0) sample: number;
  @IsInt() @Min(0) files: number;
  @IsInt() @Min(0) bytesRestored: number;
  /** How long the restore of the sample took (for a PostgreSQL source, loading the dump included). */
  @IsInt() @Min(0) durationMs: number;
  /**
   * The whole snapshot's restore time at the sample's rate (its bytes over the sample's
   * throughput); for a whole-snapshot test restore, the time it took. The observed RTO.
   */
  @IsInt() @Min(0) estimatedFullRestoreMs: number;
  /** A PostgreSQL source: the whole dump was restored, loaded into a scratch database, counted and dropped. */
  @IsOptional() @ValidateNested() @Type(() => RestoredDatabase) database?: RestoredDatabase;
}
