import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { PutQuotaRequest, quotaTargetProblem, ReplicationLagDailyQuery, ReportQuery, reportPeriod, StorageDailyQuery, StorageForecastQuery } from './reports';

const messages = (query: Record<string, string>) => validateSync(plainToInstance(ReportQuery, query)).flatMap((e) => Object.values(e.constraints ?? {}));

describe('a report\'s period', () => {
  const now = new Date('2026-12-03T12:00:00Z');

  it('defaults to the 90 days before now, and reads dates as midnight UTC', () => {
    expect(reportPeriod({}, now)).toEqual({ from: new Date('2026-09-04T12:00:00Z'), to: now });
    expect(reportPeriod({ from: '2026-10-01', to: '2027-01-01' }, now)).toEqual({ from: new Date('2026-10-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') });
    expect(reportPeriod({ from: '2026-10-01T08:00:00+02:00', to: '2026-10-02' }, now)).toEqual({ from: new Date('2026-10-01T06:00:00Z'), to: new Date('2026-10-02T00:00:00Z') });
  });

  it('names what is wrong with a period', () => {
    expect(reportPeriod({ from: '2026-02-30' }, now)).toEqual({ error: expect.stringMatching(/^from .*"2026-02-30" is no such date/) });
    expect(reportPeriod({ from: '2026-10-02', to: '2026-10-01' }, now)).toEqual({ error: expect.stringMatching(/must come before to/) });
    expect(reportPeriod({ from: '2025-01-01', to: '2026-06-01' }, now)).toEqual({ error: expect.stringMatching(/at most 367 days/) });
  });

  it('refuses a query that is not a date, a policy that is not an id, and an unknown format', () => {
    expect(messages({ from: 'last week' })).toEqual(['from must be a date (2026-10-01) or a time with its zone (2026-10-01T08:00:00Z)']);
    expect(messages({ to: '2026-10-01T08:00:00' })).toEqual(['to must be a date (2026-10-01) or a time with its zone (2026-10-01T08:00:00Z)']);
    expect(messages({ policy: 'finance' })).toEqual(['policy must be a policy id (a UUID)']);
    expect(messages({ format: 'xlsx' })).toEqual(['format must be "json", "csv" or "pdf"']);
    expect(messages({ from: '2026-10-01', to: '2026-12-31T23:59:59.5Z', format: 'pdf' })).toEqual([]);
  });
});

describe('storage-daily, replication-lag-daily and quota requests', () => {
  const problems = <T extends object>(cls: new () => T, body: Record<string, unknown>) => validateSync(plainToInstance(cls, body)).flatMap((e) => Object.values(e.constraints ?? {}));

  it('names a bad site, tenant, page or quota', () => {
    expect(problems(StorageDailyQuery, { site: '../etc' })).toEqual([expect.stringMatching(/^site must be a site: "primary" or a replica site's name/)]);
    expect(problems(StorageDailyQuery, { tenant: 'Acme' })).toEqual([expect.stringMatching(/^tenant must be a tenant: a lower-case slug/)]);
    expect(problems(StorageDailyQuery, { limit: '0', offset: '-1' })).toEqual(['limit must be a whole number from 1 to 1000', 'offset must be a whole number from 0 to 999999999']);
    expect(problems(StorageDailyQuery, { from: '2026-10-01', site: 'replica-eu', tenant: 'acme', limit: '1000' })).toEqual([]);
    expect(problems(ReplicationLagDailyQuery, { site: 'a b' })).toHaveLength(1);
    expect(problems(StorageForecastQuery, { site: 'primary', tenant: 'acme', days: '30' })).toEqual([]);
    expect(problems(PutQuotaRequest, { bytes: 1.5 })).toEqual(['bytes must be a whole number of bytes']);
    expect(problems(PutQuotaRequest, { bytes: 0 })).toEqual(['bytes must be at least 1']);
    expect(problems(PutQuotaRequest, {})).toContain('bytes must be a whole number of bytes');
    expect(problems(PutQuotaRequest, { bytes: 10 * 2 ** 40 })).toEqual([]);
  });

  it('checks a quota route\'s site or tenant', () => {
    expect(quotaTargetProblem('site', 'primary')).toBeNull();
    expect(quotaTargetProblem('site', 'eu.replica')).toBeNull();
    expect(quotaTargetProblem('site', '..')).toMatch(/not "\." or "\.\."/); // never a path step
    expect(quotaTargetProblem('site', 'a/b')).toMatch(/^site must be a site/);
    expect(quotaTargetProblem('tenant', 'acme')).toBeNull();
    expect(quotaTargetProblem('tenant', '-acme')).toMatch(/^tenant must be a tenant/);
  });
});
