import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsUUID, Min, ValidateNested } from 'class-validator';
import { PolicySpec } from '../../common/policy-spec';

/**
 * policy.changed: a policy was created or a new version of it stored; carries the whole policy, not
 * a diff. Never a postgres source's password: the URL comes without it, and `source.secretRef`
 * names where the policy service keeps it (the scheduler hands the reference on in
 * backup.requested; the ingest worker running the job reads the password at job time).
 */
export class PolicyChanged {
  @IsUUID() policyId: string;
  /** Grows by one with every change: a consumer ignores a version lower than the one it holds. */
  @IsInt() @Min(1) version: number;
  @ValidateNested() @Type(() => PolicySpec) spec: PolicySpec;
  @IsISO8601() updatedAt: string;
}
