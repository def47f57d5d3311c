import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkId, idFromHex, idToHex, isChunkIdHex, verifyChunkId } from './hasher';

describe('chunk ids', () => {
  const idKey = randomBytes(32);

  it('is HMAC-SHA-256 of the content under the id key', () => {
    const data = Buffer.from('some chunk');
    expect(chunkId(idKey, data).equals(createHmac('sha256', idKey).update(data).digest())).toBe(true);
    expect(chunkId(idKey, data)).toHaveLength(32);
    expect(verifyChunkId(idKey, data, chunkId(idKey, data))).toBe(true);
    expect(verifyChunkId(idKey, Buffer.from('other'), chunkId(idKey, data))).toBe(false);
  });

  it('depends on the key: the same content has unrelated ids in two repositories, and the plain hash is not the id', () => {
    const data = Buffer.from('x');
    expect(chunkId(idKey, data).equals(chunkId(randomBytes(32), data))).toBe(false);
    expect(chunkId(idKey, data).equals(createHmac('sha256', Buffer.alloc(0)).update(data).digest())).toBe(false);
  });

  it('converts to and from hex strictly', () => {
    const id = chunkId(idKey, Buffer.from('y'));
    const hex = idToHex(id);
    expect(isChunkIdHex(hex)).toBe(true);
    expect(idFromHex(hex).equals(id)).toBe(true);
    expect(idFromHex(hex.toUpperCase()).equals(id)).toBe(true);
    expect(() => idFromHex(hex.slice(1))).toThrow(/not a chunk id/);
    expect(() => idFromHex('zz' + hex.slice(2))).toThrow(/not a chunk id/);
    expect(() => idToHex(Buffer.alloc(31))).toThrow(/32 bytes/);
    expect(isChunkIdHex('../../etc/passwd')).toBe(false);
  });
});
