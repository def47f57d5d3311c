import { describe, expect, it } from 'vitest';
import { parseRate, planBackup } from './backup-plan';

describe('arca backup arguments', () => {
  it('makes a directory absolute against the working directory', () => {
    expect(planBackup('docs', {}, '/home/ann')).toEqual({ kind: 'source', source: { kind: 'directory', path: '/home/ann/docs' } });
    expect(planBackup('/srv/data/', {}, '/home/ann')).toEqual({ kind: 'source', source: { kind: 'directory', path: '/srv/data' } });
    expect(planBackup('.', { limit: '20M' }, '/x')).toEqual({ kind: 'source', source: { kind: 'directory', path: '/x' }, bandwidthLimitBytesPerSec: 20 * 1024 * 1024 });
  });

  it('plans a stream upload, a database dump and a policy run', () => {
    expect(planBackup(undefined, { stdin: true, name: 'db.dump' }, '/')).toEqual({ kind: 'stream', name: 'db.dump' });
    expect(planBackup(undefined, { stdin: true }, '/')).toEqual({ kind: 'stream', name: 'stdin' });
    expect(planBackup(undefined, { postgres: 'postgresql://u:p@h/db' }, '/')).toEqual({ kind: 'source', source: { kind: 'postgres', connection: 'postgresql://u:p@h/db' } });
    expect(planBackup(undefined, { policy: 'home' }, '/')).toEqual({ kind: 'policy', policy: 'home' });
  });

  it('insists on exactly one source', () => {
    expect(() => planBackup(undefined, {}, '/')).toThrow(/what to back up\?/);
    expect(() => planBackup('dir', { stdin: true }, '/')).toThrow(/only one of .* \(got a directory and --stdin\)/);
    expect(() => planBackup(undefined, { postgres: 'postgres://h/db', policy: 'p' }, '/')).toThrow(/got --postgres and --policy/);
  });

  it('rejects options that do not fit the source', () => {
    expect(() => planBackup('dir', { name: 'x' }, '/')).toThrow('--name only applies to --stdin');
    expect(() => planBackup(undefined, { stdin: true, name: 'a/b' }, '/')).toThrow(/without "\/"/);
    expect(() => planBackup(undefined, { stdin: true, limit: '1M' }, '/')).toThrow(/--limit does not apply to --stdin/);
    expect(() => planBackup(undefined, { postgres: 'mysql://h/db' }, '/')).toThrow(/postgres:\/\/user:password@host/);
  });

  it('parses bandwidth limits with binary units', () => {
    expect(parseRate('4096')).toBe(4096);
    expect(parseRate('512k')).toBe(512 * 1024);
    expect(parseRate('1.5M')).toBe(1.5 * 1024 * 1024);
    expect(parseRate('2GiB/s')).toBe(2 * 1024 ** 3);
    expect(() => parseRate('fast')).toThrow(/e\.g\. 512k/);
    expect(() => parseRate('100')).toThrow(/smallest limit is 1k/);
  });
});
