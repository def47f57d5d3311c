import { describe, expect, it } from 'vitest';
import { rtoTransition } from './rto';

describe('rtoTransition', () => {
  it('breaches once over the target, restores once within it again', () => {
    expect(rtoTransition({ measuredMs: 60_001, rtoMinutes: 1, breached: false })).toBe('breach');
    expect(rtoTransition({ measuredMs: 600_000, rtoMinutes: 1, breached: true })).toBe('none'); // the same breach
    expect(rtoTransition({ measuredMs: 60_000, rtoMinutes: 1, breached: true })).toBe('restore'); // exactly the target meets it
    expect(rtoTransition({ measuredMs: 0, rtoMinutes: 1, breached: false })).toBe('none');
  });
});
