import { PolicySpec } from '@arca/contracts';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { policyProblems } from './policy-rules';

const spec = (over: Partial<PolicySpec>): PolicySpec => ({
  name: 'worm', source: { kind: 'directory', path: '/data' }, schedule: { cron: '0 2 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepDaily: 7 }, ...over,
});

/** The messages the policy service's validation pipe answers with: each nested one prefixed with its parent's name, as Nest does. */
function validationMessages(plain: object): string[] {
  const collect = (errors: ReturnType<typeof validateSync>, parent: string): string[] =>
    errors.flatMap((e) => [...Object.values(e.constraints ?? {}).map((m) => parent + m), ...collect(e.children ?? [], `${parent}${e.property}.`)]);
  return collect(validateSync(plainToInstance(PolicySpec, plain)), '');
}

describe('objectLock in a policy', () => {
  it('accepts either mode, with or without days', () => {
    expect(validationMessages(spec({ objectLock: { mode: 'compliance', days: 90 } }))).toEqual([]);
    expect(validationMessages(spec({ objectLock: { mode: 'governance' } }))).toEqual([]);
    expect(policyProblems(spec({ objectLock: { mode: 'compliance' } }))).toEqual([]);
  });

  it('names a bad mode and days outside 1-36500', () => {
    expect(validationMessages(spec({ objectLock: { mode: 'legal-hold' as never } }))).toEqual(['objectLock.mode must be "compliance" or "governance"']);
    expect(validationMessages(spec({ objectLock: { mode: 'compliance', days: 0 } }))).toEqual(['objectLock.days must be at least 1']);
    expect(validationMessages(spec({ objectLock: { mode: 'compliance', days: 36_501 } }))).toEqual(['objectLock.days must be at most 36500']);
    expect(validationMessages(spec({ objectLock: { mode: 'compliance', days: 1.5 } }))).toEqual([expect.stringMatching(/^objectLock\.days must be an integer/)]);
  });

  it('asks for days when the rules keep snapshots longer than the longest lock', () => {
    expect(policyProblems(spec({ retention: { keepYearly: 120 }, objectLock: { mode: 'compliance' } }))).toEqual([
      'objectLock: the retention rules keep snapshots up to 43920 days, longer than the longest lock (36500 days); set objectLock.days',
    ]);
    expect(policyProblems(spec({ retention: { keepYearly: 120 }, objectLock: { mode: 'compliance', days: 36_500 } }))).toEqual([]);
    expect(policyProblems(spec({ retention: { keepYearly: 120 } }))).toEqual([]);
  });
});
