import { describe, expect, it } from 'vitest';
import { decodePolicyRecord, encodePolicyRecord, newestPolicyRecords, PolicyRecord, policyRecordKey } from './policy-record';
import { testMasterKey } from './testing/fixtures';

const id = '0b8f2c1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b';
const record: PolicyRecord = { policyId: id, version: 3, tenant: 'acme', spec: { name: 'nightly' }, updatedAt: '2026-12-01T00:00:00.000Z' };

describe('policy records in the object store', () => {
  it('round-trips a sealed policy version under its key', async () => {
    const key = policyRecordKey(id, 3);
    expect(key).toBe(`policies/${id}/0000000003`);
    expect(await decodePolicyRecord(testMasterKey, key, await encodePolicyRecord(testMasterKey, record))).toEqual(record);
  });

  it('refuses a record stored under another version or policy, and a key that is not a record', async () => {
    const sealed = await encodePolicyRecord(testMasterKey, record);
    await expect(decodePolicyRecord(testMasterKey, policyRecordKey(id, 4), sealed)).rejects.toThrow();
    await expect(decodePolicyRecord(testMasterKey, policyRecordKey('1b8f2c1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b', 3), sealed)).rejects.toThrow();
    await expect(decodePolicyRecord(testMasterKey, `policies/${id}/3`, sealed)).rejects.toThrow(/not a policy record's key/);
  });

  it("picks each policy's newest version, whatever the listing's order", () => {
    const other = '1b8f2c1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b';
    const keys = [policyRecordKey(id, 10), policyRecordKey(id, 9), policyRecordKey(other, 1), 'policies/junk', policyRecordKey(id, 2)];
    expect(newestPolicyRecords(keys)).toEqual([policyRecordKey(id, 10), policyRecordKey(other, 1)]);
  });
});

describe("a snapshot's state in the object store", () => {
  const state = { snapshotId: 'a'.repeat(64), forgottenAt: null, forgottenReason: null, heldAt: '2026-12-01T00:00:00.000Z', heldBy: 'key:ops', holdReason: 'case 4711' };

  it('round-trips, and does not open under another snapshot', async () => {
    const { decodeSnapshotState, encodeSnapshotState, snapshotStateKey } = await import('./snapshot-state');
    const sealed = await encodeSnapshotState(testMasterKey, state);
    expect(snapshotStateKey(state.snapshotId)).toBe(`snapshot-state/${'a'.repeat(64)}`);
    expect(await decodeSnapshotState(testMasterKey, state.snapshotId, sealed)).toEqual(state);
    await expect(decodeSnapshotState(testMasterKey, 'b'.repeat(64), sealed)).rejects.toThrow();
  });
});
