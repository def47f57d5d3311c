import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkId } from './hasher';
import { createKeyFile } from './keys';
import {
  DEFAULT_PACK_SIZE, extractChunk, headerRange, isPackKey, MAX_PACK_SIZE, openPackHeader, PACK_TRAILER_SIZE, packKeyFor,
  PackWriter, parsePackTrailer, readPackHeader, validatePackSize,
} from './pack';
import { open, seal } from './sealer';

const { masterKey } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });

async function packOf(chunks: Buffer[]) {
  const writer = new PackWriter();
  for (const c of chunks) {
    const id = chunkId(masterKey.idKey, c);
    const s = await seal(masterKey, id, c);
    writer.add(id, s.parts, c.length, s.compressed);
  }
  return writer.finish(masterKey);
}

describe('packs', () => {
  const chunks = [Buffer.alloc(50_000, 'text '), randomBytes(70_000), Buffer.from('small')];

  it('are self-describing: the header read from the pack alone locates and opens every chunk', async () => {
    const pack = await packOf(chunks);
    const entries = await readPackHeader(masterKey, pack.bytes, pack.key);
    expect(entries).toEqual(pack.entries);
    expect(entries.map((e) => e.rawLength)).toEqual(chunks.map((c) => c.length));
    expect(entries.map((e) => e.compressed)).toEqual([true, false, false]);
    for (const [i, e] of entries.entries()) {
      expect((await open(masterKey, Buffer.from(e.id, 'hex'), extractChunk(pack.bytes, e))).equals(chunks[i])).toBe(true);
    }
    // chunks are laid end to end from offset 0
    expect(entries[0].offset).toBe(0);
    expect(entries[1].offset).toBe(entries[0].length);
  });

  it('can be read by ranges: trailer, then header, never the whole pack', async () => {
    const pack = await packOf(chunks);
    const trailer = pack.bytes.subarray(pack.bytes.length - PACK_TRAILER_SIZE);
    const range = headerRange(pack.bytes.length, parsePackTrailer(trailer));
    const entries = await openPackHeader(masterKey, pack.bytes.subarray(range.offset, range.offset + range.length), range.offset);
    expect(entries).toEqual(pack.entries);
  });

  it('are named data/<2 hex>/<64 random hex>', async () => {
    const pack = await packOf(chunks);
    expect(pack.key).toMatch(/^data\/([0-9a-f]{2})\/\1[0-9a-f]{62}$/);
    expect(isPackKey(pack.key)).toBe(true);
    expect(isPackKey('data/00/' + 'f'.repeat(64))).toBe(false);
    expect(isPackKey('data/ff/../../x')).toBe(false);
    expect(packKeyFor('ab'.repeat(32))).toBe(`data/ab/${'ab'.repeat(32)}`);
    expect(() => packKeyFor('xyz')).toThrow();
  });

  it('do not reveal chunk ids or sizes in clear (the header is encrypted)', async () => {
    const pack = await packOf(chunks);
    const hex = pack.bytes.toString('hex');
    for (const e of pack.entries) expect(hex.includes(e.id)).toBe(false);
  });

  it('refuse a damaged trailer or header with a clear error', async () => {
    const pack = await packOf(chunks);
    await expect(readPackHeader(masterKey, pack.bytes.subarray(0, pack.bytes.length - 1), 'p1')).rejects.toThrow(/p1: not an Arca pack/);
    const badLength = Buffer.from(pack.bytes);
    badLength.writeUInt32BE(0x7fffffff, badLength.length - PACK_TRAILER_SIZE);
    await expect(readPackHeader(masterKey, badLength, 'p2')).rejects.toThrow(/p2: header length .* exceeds the pack/);
    const badHeader = Buffer.from(pack.bytes);
    badHeader[badHeader.length - PACK_TRAILER_SIZE - 20] ^= 1;
    await expect(readPackHeader(masterKey, badHeader, 'p3')).rejects.toThrow(/p3: header unreadable/);
    const stranger = createKeyFile('pw', { N: 1024, r: 8, p: 1 }).masterKey;
    await expect(readPackHeader(stranger, pack.bytes, 'p4')).rejects.toThrow(/p4: header unreadable/);
  });

  it('default to 16 MiB and refuse targets that could reach the 64 MiB single-PUT limit', () => {
    expect(DEFAULT_PACK_SIZE).toBe(16 * 1024 * 1024);
    expect(validatePackSize(DEFAULT_PACK_SIZE)).toBe(DEFAULT_PACK_SIZE);
    expect(() => validatePackSize(64 * 1024 * 1024)).toThrow(/well below 64 MiB/);
    expect(() => validatePackSize(MAX_PACK_SIZE + 1)).toThrow();
    expect(() => validatePackSize(100)).toThrow();
  });

  it('start afresh after finish', async () => {
    const writer = new PackWriter();
    const id = chunkId(masterKey.idKey, chunks[2]);
    writer.add(id, (await seal(masterKey, id, chunks[2])).sealed, 5, false);
    expect(writer.count).toBe(1);
    await writer.finish(masterKey);
    expect(writer.count).toBe(0);
    expect(writer.size).toBe(0);
  });
});
