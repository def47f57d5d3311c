import { lstatSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setExactMtimes } from './exact-times';

const dir = mkdtempSync(path.join(os.tmpdir(), 'arca-times-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exact mtimes', () => {
  it('sets nanosecond mtimes on files and on symlinks themselves, odd names included', async () => {
    const file = path.join(dir, "it's a \"file\" $(x) ü");
    const link = path.join(dir, 'link');
    writeFileSync(file, 'x');
    symlinkSync('/nonexistent', link);
    const ok = await setExactMtimes([{ path: file, mtimeNs: '1600000000123456789' }, { path: link, mtimeNs: '1500000000000000001' }]);
    if (!ok) return; // no sh/touch here: callers keep the microsecond-close utimes values
    expect(lstatSync(file, { bigint: true }).mtimeNs).toBe(1600000000123456789n);
    expect(lstatSync(link, { bigint: true }).mtimeNs).toBe(1500000000000000001n);
    expect(await setExactMtimes([])).toBe(true);
  });

  it('takes paths as bytes, for names that are not UTF-8', async () => {
    const file = Buffer.concat([Buffer.from(dir), Buffer.from("/caf\xe9 'q'", 'latin1')]);
    writeFileSync(file, 'x');
    if (!(await setExactMtimes([{ path: file, mtimeNs: '1600000000000000007' }]))) return;
    expect(lstatSync(file, { bigint: true }).mtimeNs).toBe(1600000000000000007n);
  });
});
