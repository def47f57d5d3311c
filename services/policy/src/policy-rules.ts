import { LOCK_DAYS_CEILING, retentionHorizonDays, scheduleProblem, windowProblem } from '@arca/schedule';
import type { PolicySpec } from '@arca/contracts';

/**
 * Checks that class-validator cannot express: a schedule that parses in its time zone, a window
 * that makes sense, a retention rule that keeps something. Returns every problem, each naming
 * the field, so an operator fixes a policy in one round trip.
 */
export function policyProblems(spec: PolicySpec): string[] {
  const problems: string[] = [];
  const schedule = scheduleProblem(spec.schedule.cron, spec.schedule.timezone);
  if (schedule) problems.push(`schedule: ${schedule}`);
  if (spec.backupWindow) {
    const window = windowProblem(spec.backupWindow);
    if (window) problems.push(`backupWindow: ${window}`);
  }
  if (spec.prune) {
    const prune = scheduleProblem(spec.prune.cron, spec.schedule.timezone);
    if (prune) problems.push(`prune: ${prune}`);
  }
  if (spec.verifyRestore) {
    const verify = scheduleProblem(spec.verifyRestore.cron, spec.schedule.timezone);
    if (verify) problems.push(`verifyRestore: ${verify}`);
  }
  if (spec.windowEnd === 'cancel' && !spec.backupWindow) problems.push('windowEnd: "cancel" needs a backupWindow (there is no window end to cancel at)');
  const r = spec.retention;
  const keeps = [r.keepLast, r.keepHourly, r.keepDaily, r.keepWeekly, r.keepMonthly, r.keepYearly].some((n) => (n ?? 0) > 0);
  if (!keeps) problems.push('retention: keeps no snapshot (set at least one of keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly)');
  if (spec.source.kind === 'directory' && !spec.source.path?.startsWith('/')) problems.push('source.path: must be an absolute path');
  if (spec.source.kind === 'postgres' && !/^postgres(ql)?:\/\//.test(spec.source.connection ?? '')) problems.push('source.connection: must be a postgres:// URL');
  if (spec.source.secretRef !== undefined) problems.push('source.secretRef: is set by the platform; give the password in source.connection');
  if (spec.source.kind === 'stream') problems.push('source.kind: a policy cannot run a "stream" source (its bytes exist only on the client, which uploads them with POST /streams or arca backup --stdin)');
  if (spec.replicate === false && spec.replicaSites !== undefined) problems.push('replicaSites: names sites to copy to, but replicate is false (remove one of them)');
  if (spec.objectLock && spec.objectLock.days === undefined) {
    // The derived period would be capped below what the rules keep: say so rather than lock the tail of a snapshot's life silently short.
    const horizon = retentionHorizonDays(r);
    if (horizon !== null && horizon > LOCK_DAYS_CEILING) {
      problems.push(`objectLock: the retention rules keep snapshots up to ${horizon} days, longer than the longest lock (${LOCK_DAYS_CEILING} days); set objectLock.days`);
    }
  }
  return problems;
}
