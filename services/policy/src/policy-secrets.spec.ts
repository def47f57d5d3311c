import type { PolicySpec } from '@arca/contracts';
import { describe, expect, it } from 'vitest';
import { keepsStoredSecret, separateSecret, shownSpec } from './policy-secrets';
import { SecretBox } from './secret-box';

const spec = (connection: string): PolicySpec => ({
  name: 'shop', source: { kind: 'postgres', connection }, schedule: { cron: '0 2 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 7 },
});
const ID = '7f1c2a9e-8a7b-4c1d-9e2f-0a1b2c3d4e5f';

describe('policy secrets', () => {
  it('stores a postgres source without its password, with a reference to where it is kept', () => {
    const { spec: stored, password } = separateSecret(spec('postgres://app:s3cret@db:5432/shop'), ID);
    expect(password).toBe('s3cret');
    expect(stored.source).toEqual({ kind: 'postgres', connection: 'postgres://app@db:5432/shop', secretRef: `policy:${ID}:source` });
    expect(JSON.stringify(stored)).not.toContain('s3cret');
    expect(separateSecret(spec('postgres://db/shop?password=s3cret'), ID)).toMatchObject({ password: 's3cret', spec: { source: { connection: 'postgres://db/shop' } } });
    const plain = spec('postgres://app@db/shop');
    expect(separateSecret(plain, ID)).toEqual({ spec: plain });
  });

  it('shows a stored password as "***" and never the reference', () => {
    const { spec: stored } = separateSecret(spec('postgres://app:s3cret@db:5432/shop'), ID);
    expect(shownSpec(stored).source).toEqual({ kind: 'postgres', connection: 'postgres://app:***@db:5432/shop' });
    const dir: PolicySpec = { ...stored, source: { kind: 'directory', path: '/data' } };
    expect(shownSpec(dir)).toBe(dir);
  });

  it('keeps the stored password when a replacement sends back the redacted URL, and takes any other URL as given', () => {
    const { spec: stored } = separateSecret(spec('postgres://app:s3cret@db:5432/shop'), ID);
    expect(keepsStoredSecret({ ...shownSpec(stored), rpoMinutes: 60 }, stored)).toBe(true);
    expect(keepsStoredSecret(spec('postgres://app:n3w@db2:5432/shop'), stored)).toBe(false);
    expect(keepsStoredSecret(spec('postgres://app:***@db2:5432/shop'), stored)).toBe(false); // a different server: "***" stands for no stored password
    expect(keepsStoredSecret(spec('postgres://app@db:5432/shop'), stored)).toBe(false); // the password dropped on purpose
  });

  it('seals a secret so that only the same key and reference open it', () => {
    const box = new SecretBox('a-secrets-key-of-some-length');
    const sealed = box.seal(`policy:${ID}:source`, 's3cret');
    expect(sealed.toString('latin1')).not.toContain('s3cret');
    expect(box.open(`policy:${ID}:source`, sealed)).toBe('s3cret');
    expect(() => box.open(`job:${ID}:source`, sealed)).toThrow(/does not open/);
    expect(() => new SecretBox('another-secrets-key-entirely').open(`policy:${ID}:source`, sealed)).toThrow(/does not open with ARCA_SECRETS_KEY/);
    const flipped = Buffer.from(sealed);
    flipped[20] ^= 1;
    expect(() => box.open(`policy:${ID}:source`, flipped)).toThrow(/does not open/);
  });
});
