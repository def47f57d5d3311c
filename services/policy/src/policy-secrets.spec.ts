import type { PolicySpec } from '@arca/contracts';
import { describe, expect, it } from 'vitest';
import { shownSpec, withStoredSecret } from './policy-secrets';

const spec = (connection: string): PolicySpec => ({
  name: 'shop', source: { kind: 'postgres', connection }, schedule: { cron: '0 2 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 7 },
});

describe('policy secrets', () => {
  it('shows a postgres source without its password, leaving the stored spec and other sources alone', () => {
    const stored = spec('postgres://app:s3cret@db:5432/shop');
    expect(shownSpec(stored).source).toEqual({ kind: 'postgres', connection: 'postgres://app:***@db:5432/shop' });
    expect(shownSpec(spec('postgres://db/shop?password=s3cret')).source.connection).toBe('postgres://db/shop?password=***');
    expect(stored.source.connection).toBe('postgres://app:s3cret@db:5432/shop');
    const plain = spec('postgres://app@db/shop');
    expect(shownSpec(plain)).toBe(plain);
    const dir: PolicySpec = { ...plain, source: { kind: 'directory', path: '/data' } };
    expect(shownSpec(dir)).toBe(dir);
  });

  it('keeps the stored password when a replacement sends back the redacted URL, and takes any other URL as given', () => {
    const stored = spec('postgres://app:s3cret@db:5432/shop');
    const edited = { ...shownSpec(stored), rpoMinutes: 60 };
    expect(withStoredSecret(edited, stored)).toEqual({ ...stored, rpoMinutes: 60 });
    const moved = spec('postgres://app:n3w@db2:5432/shop');
    expect(withStoredSecret(moved, stored)).toBe(moved);
    const elsewhere = spec('postgres://app:***@db2:5432/shop'); // a different server: "***" is not the stored password's stand-in
    expect(withStoredSecret(elsewhere, stored)).toBe(elsewhere);
  });
});
