import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { PolicySpec } from './policy-spec';

describe('PolicySpec', () => {
  it('requires its source, schedule and retention (found by e2e/src/fuzz-rest.spec.ts, seed 96709280: a body without them passed)', () => {
    const errors = validateSync(plainToInstance(PolicySpec, { name: 'nightly', rpoMinutes: 60 }));
    expect(errors.flatMap((e) => Object.values(e.constraints ?? {})).sort()).toEqual(['retention is required', 'schedule is required', 'source is required']);
    const valid = { name: 'nightly', source: { kind: 'directory', path: '/srv' }, schedule: { cron: '0 1 * * *', timezone: 'UTC' }, rpoMinutes: 60, retention: { keepLast: 3 } };
    expect(validateSync(plainToInstance(PolicySpec, valid))).toEqual([]);
  });
});
