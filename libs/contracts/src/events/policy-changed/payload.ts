import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsUUID, Min, ValidateNested } from 'class-validator';
import { PolicySpec } from '../../common/policy-spec';

/**
 * policy.changed: a policy was created or a new version of it stored; carries the whole policy, not
 * a diff, a postgres source's password included (the scheduler hands it on in backup.requested to
 * the worker that runs pg_dump), unlike the REST API, which shows it as "***".
 */
export class PolicyChanged {
  @IsUUID() policyId: string;
  /** Grows by one with every change: a consumer ignores a version lower than the one it holds. */
  @IsInt() @Min(1) version: number;
  @ValidateNested() @Type(() => PolicySpec) spec: PolicySpec;
  @IsISO8601() updatedAt: string;
}
