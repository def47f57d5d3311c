import type { PolicySpec } from '@arca/contracts';
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
