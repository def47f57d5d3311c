/**
 * A data thread (started by data-thread.ts): runs an archive or a restore on a small heap of its
 * own. Its repository is a proxy whose calls are served by the parent thread; sealed packs go
 * there, and pack bytes come back, by transfer.
 */
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { Archiver } from './archiver';
import { ChunkLocation, ChunkSource } from './chunk-reader';
import { ChunkLookup, ChunkRepository } from './chunk-sink';
import { RepositoryCall, ThreadKey, ThreadTask, ToParent, ToWorker } from './data-thread';
import { asBuffer, transferable } from './thread-buffers';
import { MasterKey } from './keys';
import { FinishedPack } from './pack';
import { Restorer } from './restorer';

const port = parentPort;
if (!port) throw new Error('data-thread-worker.ts runs as a worker thread (see data-thread.ts)');

const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextCall = 0;

function call<T>(job: number, message: RepositoryCall, transfer: ArrayBuffer[] = []): Promise<T> {
  const n = nextCall++;
  return new Promise<T>((resolve, reject) => {
    calls.set(n, { resolve: resolve as (value: unknown) => void, reject });
    port!.postMessage({ type: 'call', job, n, ...message } satisfies ToParent, transfer);
  });
}

/** The parent thread's repository, as the archiver and the restorer see it. */
function remoteRepository(job: number): ChunkRepository & ChunkSource {
  return {
    async lookup(ids: Buffer[]): Promise<ChunkLookup> {
      const { fresh, packs } = await call<{ fresh: string[]; packs: string[] }>(job, { method: 'lookup', ids: ids.map((id) => id.toString('hex')) });
      return { fresh: new Set(fresh), packs: new Set(packs) };
    },
    async storePack(pack: FinishedPack): Promise<void> {
      const bytes = transferable(pack.bytes);
      await call(job, { method: 'storePack', pack: { key: pack.key, bytes, entries: pack.entries } }, [bytes.buffer as ArrayBuffer]);
    },
    async locate(ids: string[]): Promise<Map<string, ChunkLocation>> {
      return new Map(await call<Array<[string, ChunkLocation]>>(job, { method: 'locate', ids }));
    },
    async readPack(packKey: string): Promise<Buffer> {
      return asBuffer(await call<Uint8Array>(job, { method: 'readPack', packKey }));
    },
    async readRange(packKey: string, offset: number, length: number): Promise<Buffer> {
      return asBuffer(await call<Uint8Array>(job, { method: 'readRange', packKey, offset, length }));
    },
  };
}

/** The parent's stream, pulled a call at a time (see STREAM_PULL_BYTES). */
function pulledStream(job: number): Readable {
  return Readable.from((async function* () {
    for (;;) {
      const bytes = await call<Uint8Array | null>(job, { method: 'readStream' });
      if (bytes === null) return;
      yield asBuffer(bytes);
    }
  })());
}

function masterKey(key: ThreadKey): MasterKey {
  const generationKeys = key.generationKeys ? new Map([...key.generationKeys].map(([generation, raw]) => [generation, asBuffer(raw)])) : undefined;
  return { encryptionKey: asBuffer(key.encryptionKey), idKey: asBuffer(key.idKey), repositoryId: key.repositoryId, cipher: key.cipher, generation: key.generation, generationKeys };
}

async function run(job: number, task: ThreadTask): Promise<void> {
  const progress = (p: unknown) => port!.postMessage({ type: 'progress', job, progress: p } as ToParent);
  try {
    let result;
    if (task.kind === 'archive') {
      result = await new Archiver({ ...task.options, key: masterKey(task.key), repository: remoteRepository(job), parent: task.parent, onProgress: progress }).archiveDirectory(task.root);
    } else if (task.kind === 'archive-stream') {
      result = await new Archiver({ ...task.options, key: masterKey(task.key), repository: remoteRepository(job), onProgress: progress }).archiveStream(task.name, pulledStream(job));
    } else {
      result = await new Restorer(masterKey(task.key), remoteRepository(job), progress).restore(task.manifest, task.target, { paths: task.paths });
    }
    port!.postMessage({ type: 'done', job, result } satisfies ToParent);
  } catch (error) {
    port!.postMessage({ type: 'failed', job, message: error instanceof Error ? error.message : String(error) } satisfies ToParent);
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') {
    void run(message.job, message.task);
    return;
  }
  const waiter = calls.get(message.n);
  if (!waiter) return;
  calls.delete(message.n);
  if ('error' in message) waiter.reject(new Error(message.error));
  else waiter.resolve(message.value);
});
