import { describe, expect, it } from 'vitest';
import { nextRunAfter } from './next-run';

describe('nextRunAfter', () => {
  it('follows the cron expression', () => {
    expect(nextRunAfter({ cron: '*/15 * * * *', timezone: 'UTC' }, new Date('2026-05-01T10:07:00Z')).toISOString()).toBe('2026-05-01T10:15:00.000Z');
  });

  it('moves a due time outside the backup window to its opening', () => {
    const hourly = { cron: '0 * * * *', timezone: 'UTC', window: { start: '01:00', end: '05:00' } };
    expect(nextRunAfter(hourly, new Date('2026-05-01T10:30:00Z')).toISOString()).toBe('2026-05-02T01:00:00.000Z');
    expect(nextRunAfter(hourly, new Date('2026-05-02T01:30:00Z')).toISOString()).toBe('2026-05-02T02:00:00.000Z');
  });
});
