import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * A job's bandwidth limit, in bytes per second: 1 KiB/s to 1 TiB/s. The upper bound is there
 * only to refuse absurd numbers (1e21 is an integer to JSON and to Number.isInteger) before they
 * reach the job table and the throttle's arithmetic; no link is that fast.
 */
export const BANDWIDTH_LIMIT = { min: 1024, max: 2 ** 40 };

/** An optional bandwidth limit (policies, POST /jobs, backup.requested). */
export function IsBandwidthLimit(): PropertyDecorator {
  return (target, key) => {
    for (const decorate of [IsOptional(), IsInt(), Min(BANDWIDTH_LIMIT.min), Max(BANDWIDTH_LIMIT.max)]) decorate(target, key);
  };
}
