import { createEvent, TOPICS, validateEvent, type PolicySpec } from '@arca/contracts';
import { describe, expect, it } from 'vitest';
import { policyProblems } from './policy-rules';

const spec = (over: Partial<PolicySpec>): PolicySpec => ({
  name: 'nightly', source: { kind: 'directory', path: '/data' }, schedule: { cron: '0 2 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 7 }, ...over,
});

describe('policyProblems', () => {
  it('accepts a sound policy', () => {
    expect(policyProblems(spec({}))).toEqual([]);
  });

  it('refuses a stream source, which no schedule can read, naming the field', () => {
    expect(policyProblems(spec({ source: { kind: 'stream', name: 'db.dump' } }))).toEqual([expect.stringMatching(/^source\.kind: a policy cannot run a "stream" source/)]);
  });
});

describe('scheduling fields', () => {
  it('checks a prune schedule in the policy time zone, and that "cancel" has a window to end', () => {
    expect(policyProblems(spec({ prune: { cron: '0 4 * * 0' }, backupWindow: { start: '01:00', end: '05:00' }, windowEnd: 'cancel' }))).toEqual([]);
    expect(policyProblems(spec({ prune: { cron: '0 4 * *' } }))).toEqual([expect.stringMatching(/^prune: cron expression "0 4 \* \*" must have 5 fields/)]);
    expect(policyProblems(spec({ windowEnd: 'cancel' }))).toEqual([expect.stringMatching(/^windowEnd: "cancel" needs a backupWindow/)]);
  });

  it('validates catchUp, windowEnd, retry and prune fields, naming each', () => {
    const changed = (over: object) => validateEvent(TOPICS.policyChanged, createEvent(TOPICS.policyChanged, {
      policyId: '0b6c2f4e-3c1a-4d2b-9f00-1a2b3c4d5e6f', version: 1, updatedAt: new Date().toISOString(), spec: spec(over as Partial<PolicySpec>),
    }));
    expect(changed({ catchUp: 'skip', windowEnd: 'finish', retry: { maxAttempts: 3, backoffSeconds: 30 }, prune: { cron: '0 4 * * 0', maxUnusedPercent: 10 } }).ok).toBe(true);
    const bad = changed({ catchUp: 'all', windowEnd: 'abort', retry: { maxAttempts: 11 }, prune: { cron: '0 4 * * 0', maxUnusedPercent: 101 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.reason).toMatch(/catchUp must be "once" or "skip"/);
      expect(bad.reason).toMatch(/windowEnd must be "finish" or "cancel"/);
      expect(bad.reason).toMatch(/retry\.maxAttempts must not be greater than 10/);
      expect(bad.reason).toMatch(/prune\.maxUnusedPercent must not be greater than 100/);
    }
  });
});

describe('replication fields', () => {
  it('validates replicate and replicaSites, naming what is wrong', () => {
    const changed = (over: object) => validateEvent(TOPICS.policyChanged, createEvent(TOPICS.policyChanged, {
      policyId: '0b6c2f4e-3c1a-4d2b-9f00-1a2b3c4d5e6f', version: 1, updatedAt: new Date().toISOString(), spec: spec(over as Partial<PolicySpec>),
    }));
    expect(changed({ replicate: true, replicaSites: ['replica', 'dr-west.2'] }).ok).toBe(true);
    expect(changed({ replicate: false }).ok).toBe(true);
    const cases: Array<[object, RegExp]> = [
      [{ replicate: 'yes' }, /replicate must be true or false/],
      [{ replicaSites: 'replica' }, /replicaSites must be a list of site names/],
      [{ replicaSites: [] }, /replicaSites must name at least one site/],
      [{ replicaSites: ['a', 'a'] }, /replicaSites must not name a site twice/],
      [{ replicaSites: ['ok', 'no spaces'] }, /replicaSites: each site name must be 1-64 letters/],
      [{ replicaSites: [7] }, /replicaSites must hold site names/],
      [{ replicaSites: Array.from({ length: 17 }, (_, i) => `s${i}`) }, /replicaSites must name at most 16 sites/],
    ];
    for (const [over, message] of cases) {
      const result = changed(over);
      expect(result.ok, JSON.stringify(over)).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(message);
    }
  });

  it('refuses sites to copy to on a policy that does not replicate', () => {
    expect(policyProblems(spec({ replicate: false, replicaSites: ['replica'] }))).toEqual([expect.stringMatching(/^replicaSites: names sites to copy to, but replicate is false/)]);
    expect(policyProblems(spec({ replicate: true, replicaSites: ['replica'] }))).toEqual([]);
  });
});
