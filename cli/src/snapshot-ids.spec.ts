import { describe, expect, it } from 'vitest';
import { CliError } from './gateway-client';
import { resolvePolicyId } from './policy-ids';
import { resolveSnapshotId } from './snapshot-ids';

describe('snapshot id prefixes', () => {
  const snapshots = [{ id: 'abc123' + '0'.repeat(58) }, { id: 'abd456' + '0'.repeat(58) }];

  it('resolves a full id or a unique prefix, case-insensitively', () => {
    expect(resolveSnapshotId(snapshots[1].id, snapshots)).toBe(snapshots[1].id);
    expect(resolveSnapshotId('abc', snapshots)).toBe(snapshots[0].id);
    expect(resolveSnapshotId('ABD4', snapshots)).toBe(snapshots[1].id);
  });

  it('explains an ambiguous prefix, an unknown one, and something that is not hex', () => {
    expect(() => resolveSnapshotId('ab', snapshots)).toThrow(/matches 2 snapshots \(abc123000000, abd456000000\); give more characters/);
    expect(() => resolveSnapshotId('ff', snapshots)).toThrow(CliError);
    expect(() => resolveSnapshotId('ff', snapshots)).toThrow(/no snapshot ff/);
    expect(() => resolveSnapshotId('zz', snapshots)).toThrow(/not a snapshot id/);
    expect(() => resolveSnapshotId('', snapshots)).toThrow(/not a snapshot id/);
  });
});

describe('policy references', () => {
  const policies = [
    { id: '11111111-aaaa-4aaa-8aaa-000000000001', name: 'home' },
    { id: '11112222-aaaa-4aaa-8aaa-000000000002', name: 'db' },
  ];

  it('takes an id, a name or a unique id prefix', () => {
    expect(resolvePolicyId(policies[0].id, policies)).toBe(policies[0].id);
    expect(resolvePolicyId('db', policies)).toBe(policies[1].id);
    expect(resolvePolicyId('11112', policies)).toBe(policies[1].id);
  });

  it('names the candidates of an ambiguous prefix and rejects unknown references', () => {
    expect(() => resolvePolicyId('1111', policies)).toThrow(/matches 2 policies \(home, db\)/);
    expect(() => resolvePolicyId('nightly', policies)).toThrow(/no policy named or with id nightly/);
  });
});
