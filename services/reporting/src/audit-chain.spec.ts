import { describe, expect, it } from 'vitest';
import { ChainedEntry, entryHash, firstBreak, GENESIS_HASH } from './audit-chain';

function chain(n: number): Array<ChainedEntry & { hash: string }> {
  const entries: Array<ChainedEntry & { hash: string }> = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const entry: ChainedEntry = {
      seq, eventId: `00000000-0000-4000-8000-00000000000${seq}`, time: new Date(1_700_000_000_000 + seq), actor: 'key:ops', action: 'policy.create',
      target: `p${seq}`, details: { b: 1, a: { y: 2, x: 1 } }, principal: { type: 'api-key', id: 'k1', name: 'ops', roles: ['operator'] }, requestId: 'r', traceId: null, prevHash,
    };
    const hash = entryHash(entry);
    entries.push({ ...entry, hash });
    prevHash = hash;
  }
  return entries;
}

describe('the audit hash chain', () => {
  const start = { seq: 0, hash: GENESIS_HASH };

  it('accepts an intact chain, whatever order jsonb gives the keys of details', () => {
    const entries = chain(4);
    entries[2].details = { a: { x: 1, y: 2 }, b: 1 };
    expect(firstBreak(entries, start)).toBeUndefined();
  });

  it('names the first edited entry', () => {
    const entries = chain(4);
    entries[1].actor = 'someone-else';
    expect(firstBreak(entries, start)).toEqual({ seq: 2, eventId: entries[1].eventId, reason: expect.stringMatching(/edited/) });
  });

  it('names a rewritten link and a removed entry', () => {
    const rewritten = chain(3);
    rewritten[1] = { ...rewritten[1], prevHash: GENESIS_HASH, hash: entryHash({ ...rewritten[1], prevHash: GENESIS_HASH }) };
    expect(firstBreak(rewritten, start)?.reason).toMatch(/previous hash is not the hash of entry 1/);
    const removed = chain(3);
    removed.splice(1, 1);
    expect(firstBreak(removed, start)).toMatchObject({ seq: 3, reason: expect.stringMatching(/expected entry 2 next/) });
  });
});
