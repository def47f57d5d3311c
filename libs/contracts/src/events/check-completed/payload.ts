import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, IsUUID, Min, ValidateNested } from 'class-validator';
import { CheckRepair, SupersededCopy } from './check-repair';
import { DamagedChunk } from './damaged-chunk';
import { UnreferencedPacks } from './unreferenced-packs';

/** check.completed: a check finished; an empty `damaged` means every chunk checked was sound. */
export class CheckCompleted {
  @IsUUID() jobId: string;
  @IsInt() @Min(0) packsChecked: number;
  @IsInt() @Min(0) chunksChecked: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => DamagedChunk) damaged: DamagedChunk[];
  @IsInt() @Min(0) durationMs: number;
  /** The site checked, when not the primary. */
  @IsOptional() @IsIn(['primary', 'replica']) site?: 'primary' | 'replica';
  /** Damaged copies restores no longer read (the chunk was stored again elsewhere); not counted in `damaged`. */
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => SupersededCopy) superseded?: SupersededCopy[];
  /** Present when the check was asked to repair (`repair: true`). */
  @IsOptional() @ValidateNested() @Type(() => CheckRepair) repair?: CheckRepair;
  /** With every pack read: packs no snapshot references (failed or cut-off backups left them). */
  @IsOptional() @ValidateNested() @Type(() => UnreferencedPacks) unreferenced?: UnreferencedPacks;
}
