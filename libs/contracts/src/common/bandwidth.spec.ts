import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { BackupRequested } from '../events/backup-requested/payload';
import { ManualBackupRequest } from '../http/requests';
import { BANDWIDTH_LIMIT } from './bandwidth';
import { PolicySpec } from './policy-spec';

const policy = { name: 'nightly', source: { kind: 'directory', path: '/srv' }, schedule: { cron: '0 1 * * *', timezone: 'UTC' }, rpoMinutes: 60, retention: { keepLast: 3 } };
const problems = (cls: new () => object, plain: object) => validateSync(plainToInstance(cls, plain)).map((e) => e.property);

describe('a bandwidth limit', () => {
  it('is refused past 1 TiB/s, naming the field (found by e2e/src/fuzz-rest.spec.ts, seed 1149534815: 1e21 passed as an integer)', () => {
    for (const limit of [1e21, BANDWIDTH_LIMIT.max + 1, BANDWIDTH_LIMIT.min - 1]) {
      expect(problems(ManualBackupRequest, { source: { kind: 'directory', path: '/srv' }, bandwidthLimitBytesPerSec: limit })).toEqual(['bandwidthLimitBytesPerSec']);
      expect(problems(PolicySpec, { ...policy, bandwidthLimitBytesPerSec: limit })).toEqual(['bandwidthLimitBytesPerSec']);
      expect(problems(BackupRequested, { jobId: '6f1c1d8e-7d0b-4a43-9a57-8f3e0e0c8a11', source: { kind: 'directory', path: '/srv' }, trigger: 'manual', bandwidthLimitBytesPerSec: limit })).toEqual(['bandwidthLimitBytesPerSec']);
    }
  });

  it('is taken from 1 KiB/s to 1 TiB/s, or left out', () => {
    for (const limit of [BANDWIDTH_LIMIT.min, 10 * 1024 * 1024, BANDWIDTH_LIMIT.max, undefined]) {
      expect(problems(ManualBackupRequest, { source: { kind: 'directory', path: '/srv' }, bandwidthLimitBytesPerSec: limit })).toEqual([]);
      expect(problems(PolicySpec, { ...policy, bandwidthLimitBytesPerSec: limit })).toEqual([]);
    }
  });
});
