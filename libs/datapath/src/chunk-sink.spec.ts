import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkRepository, ChunkSink } from './chunk-sink';
import { createKeyFile } from './keys';
import { FinishedPack, readPackHeader } from './pack';
import { MemoryRepository } from './testing/memory-repository';

const { masterKey } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });

describe('chunk sink (lookup, seal, pack, upload)', () => {
  it('looks ids up in batches, never stores a chunk twice, and packs only new chunks', async () => {
    const repo = new MemoryRepository();
    const batches: number[] = [];
    const counting: ChunkRepository = {
      lookup: (ids) => { batches.push(ids.length); return repo.lookup(ids); },
      storePack: (p) => repo.storePack(p),
    };
    const known = randomBytes(1000);
    const knownSink = new ChunkSink(masterKey, repo);
    await knownSink.add(known);
    await knownSink.finish();

    const sink = new ChunkSink(masterKey, counting);
    const chunks = Array.from({ length: 70 }, () => randomBytes(1000));
    for (const c of chunks) await sink.add(c);
    for (const c of chunks.slice(0, 10)) await sink.add(c); // repeats within the job
    await sink.add(known); // already in the repository
    const counters = await sink.finish();
    expect(batches.every((n) => n <= 1024)).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(71); // each distinct chunk looked up once
    expect(counters).toMatchObject({ chunks: 81, newChunks: 70, bytesNew: 70_000 });
    const entries = (await Promise.all([...repo.packs].map(([k, b]) => readPackHeader(masterKey, b, k)))).flat();
    expect(entries).toHaveLength(71);
    expect(new Set(entries.map((e) => e.id)).size).toBe(71);
  });

  it('applies backpressure: add waits while too many bytes are in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const repo = new MemoryRepository();
    const slow: ChunkRepository = { lookup: async (ids) => { await gate; return repo.lookup(ids); }, storePack: (p: FinishedPack) => repo.storePack(p) };
    const sink = new ChunkSink(masterKey, slow, { maxInFlightBytes: 100_000 });
    let accepted = 0;
    const producer = (async () => {
      for (let i = 0; i < 200; i++) {
        await sink.add(randomBytes(10_000));
        accepted++;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    expect(accepted).toBeLessThan(64); // stuck behind the lookups, not buffering all 2 MB
    release();
    await producer;
    expect((await sink.finish()).newChunks).toBe(200);
  });

  it('refuses a pack size that could exceed the single-PUT limit', () => {
    expect(() => new ChunkSink(masterKey, new MemoryRepository(), { packSize: 100 * 1024 * 1024 })).toThrow(/well below 64 MiB/);
  });
});
