import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_BATCH, CHUNK_INDEX_BODY_LIMITS, ChunkIdsRequest, decodeChunkIds, decodeLocations, encodeChunkIds, encodeLocations, RECORD_PACK_MAX_CHUNKS, RecordPackRequest,
} from './chunk-index';

const ids = (n: number) => Array.from({ length: n }, () => randomBytes(32));

describe('chunk ids on the wire', () => {
  it('round-trips ids as bytes, from buffers or hex', () => {
    const list = ids(3);
    expect(decodeChunkIds(encodeChunkIds(list))).toEqual(list.map((id) => id.toString('hex')));
    expect(decodeChunkIds(encodeChunkIds(list.map((id) => id.toString('hex'))))).toEqual(list.map((id) => id.toString('hex')));
    expect(() => decodeChunkIds(Buffer.alloc(33).toString('base64'))).toThrow(/multiple of 32 bytes/);
  });

  it('round-trips locations with each pack key once', () => {
    const [a, b, c] = ids(3);
    const encoded = encodeLocations([
      { id: a, packKey: 'data/aa/x', offset: 0, length: 10, rawLength: 20 },
      { id: b, packKey: 'data/bb/y', offset: 5, length: 6, rawLength: 7 },
      { id: c, packKey: 'data/aa/x', offset: 10, length: 1, rawLength: 1 },
    ]);
    expect(encoded.packs).toEqual(['data/aa/x', 'data/bb/y']);
    const decoded = decodeLocations(JSON.parse(JSON.stringify(encoded)));
    expect(decoded.get(c.toString('hex'))).toEqual({ packKey: 'data/aa/x', offset: 10, length: 1, rawLength: 1 });
    expect(decoded.size).toBe(3);
  });

  it('accepts a full batch, refuses one id more or a broken list, naming the field', () => {
    const valid = (body: object, cls: new () => object) => validateSync(plainToInstance(cls, body) as object).map((e) => Object.values(e.constraints ?? {}).join('; '));
    expect(valid({ ids: encodeChunkIds(ids(CHUNK_BATCH)) }, ChunkIdsRequest)).toEqual([]);
    expect(valid({ ids: encodeChunkIds(ids(CHUNK_BATCH + 1)) }, ChunkIdsRequest)[0]).toMatch(/ids must be base64 of whole 32-byte chunk ids.*at most 10000/);
    expect(valid({ ids: Buffer.alloc(40).toString('base64') }, ChunkIdsRequest)).toHaveLength(1);
    expect(valid({ ids: 'not base64!' }, ChunkIdsRequest)).toHaveLength(1);
    expect(valid({ ids: ['ab'] }, ChunkIdsRequest)).toHaveLength(1);
  });

  it('keeps the largest request of each route under the route body limit', () => {
    const full = JSON.stringify({ ids: encodeChunkIds(ids(CHUNK_BATCH)) });
    expect(full.length).toBeLessThan(CHUNK_INDEX_BODY_LIMITS['/chunks/lookup']);
    const key = `data/ab/${'c'.repeat(64)}`;
    expect(JSON.stringify({ ids: encodeChunkIds(ids(CHUNK_BATCH)), packKeys: Array(CHUNK_BATCH).fill(key) }).length).toBeLessThan(CHUNK_INDEX_BODY_LIMITS['/chunks/forget']);
    const n = RECORD_PACK_MAX_CHUNKS;
    const pack: RecordPackRequest = {
      key, size: 2 ** 31 - 1, ids: encodeChunkIds(ids(n)),
      offsets: Array(n).fill(2 ** 31 - 1), lengths: Array(n).fill(2 ** 31 - 1), rawLengths: Array(n).fill(2 ** 31 - 1),
    };
    expect(JSON.stringify(pack).length).toBeLessThan(CHUNK_INDEX_BODY_LIMITS['/packs']);
  });
});
