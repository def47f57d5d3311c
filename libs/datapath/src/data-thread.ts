import { AsyncResource } from 'node:async_hooks';
import path from 'node:path';
import v8 from 'node:v8';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { ArchiveProgress, ArchiveResult, ArchiverOptions } from './archiver';
import { ChunkRepository } from './chunk-sink';
import type { Cipher } from './keys';
import { Manifest } from './manifest';
import { PackEntry } from './pack';
import { ChunkSource } from './chunk-reader';
import { RestoreResult } from './restorer';
import { asBuffer, transferable } from './thread-buffers';

/**
 * Data threads: backups (of directories, streams and database dumps) and restores run their data
 * path on a worker thread.
 *
 * Why: the data path allocates a few buffers per megabyte, and V8 answers that much off-heap
 * memory with full garbage collections of the heap that allocated it. In a service that heap
 * holds the whole framework (Nest, TypeORM, OpenTelemetry, ...), and marking it again and again
 * cost more CPU than chunking and hashing together; a data thread's heap is a few megabytes.
 * The repository (dedupe index, object store) stays on the calling thread, reached by calls over
 * the message port, and bulk bytes cross between threads by transfer, without copies. A stream's
 * bytes are pulled by the thread (`readStream`, up to STREAM_PULL_BYTES a call): it asks for more
 * only once it has chunked what it has, so a fast source waits for a slow data path, never piles up.
 */

export interface ThreadKey {
  encryptionKey: Uint8Array;
  idKey: Uint8Array;
  repositoryId: string;
  cipher?: Cipher;
  /** The generation encryptionKey is, and every generation's key (to open older objects). */
  generation?: number;
  generationKeys?: ReadonlyMap<number, Uint8Array>;
}

export type ThreadTask =
  | {
    kind: 'archive';
    key: ThreadKey;
    root: string;
    parent?: Manifest;
    options: Pick<ArchiverOptions, 'chunker' | 'packSize' | 'compressionLevel' | 'maxUploads' | 'bandwidthLimitBytesPerSec' | 'progressIntervalMs'>;
  }
  | {
    kind: 'archive-stream';
    key: ThreadKey;
    name: string;
    options: Pick<ArchiverOptions, 'chunker' | 'packSize' | 'compressionLevel' | 'maxUploads' | 'bandwidthLimitBytesPerSec' | 'progressIntervalMs'>;
  }
  | { kind: 'restore'; key: ThreadKey; manifest: Manifest; target: string; paths?: string[] };

/** The repository calls a data thread makes on the calling thread. */
export type RepositoryCall =
  | { method: 'lookup'; ids: string[] }
  | { method: 'storePack'; pack: { key: string; bytes: Uint8Array; entries: PackEntry[] } }
  | { method: 'locate'; ids: string[] }
  | { method: 'readPack'; packKey: string }
  | { method: 'readRange'; packKey: string; offset: number; length: number }
  /** The next bytes of the stream a stream backup reads (null at its end). */
  | { method: 'readStream' };

export type ToWorker =
  | { type: 'run'; job: number; task: ThreadTask }
  | { type: 'reply'; n: number; value: unknown }
  | { type: 'reply'; n: number; error: string };

export type ThreadProgress = ArchiveProgress | { files: number; bytesWritten: number };

export type ToParent =
  | ({ type: 'call'; job: number; n: number } & RepositoryCall)
  | { type: 'progress'; job: number; progress: ThreadProgress }
  | { type: 'done'; job: number; result: ArchiveResult | RestoreResult }
  | { type: 'failed'; job: number; message: string };

/**
 * By default V8 collects garbage whenever off-heap memory has grown by a fixed margin, which for a
 * data path (megabytes of buffers per chunk, none of it on the heap) meant a full collection every
 * ~10 MB: 92 of them for one backup and restore of the 338 MB benchmark set. Counting off-heap
 * memory in the heap's global limit instead scales the margin with the heap: 19 collections, and
 * a third less CPU for the same work. The flag is process-wide, only moves a threshold, and setting it again changes nothing.
 */
function tuneGarbageCollection(): void {
  v8.setFlagsFromString('--external-memory-accounted-in-global-limit');
}

/**
 * A data thread's heap, in MiB (ARCA_DATA_THREAD_HEAP_MB). With off-heap memory counted in the
 * heap's global limit, this also bounds the garbage buffers a thread lets pile up before it
 * collects them: on 200,000 small files, a 256 MiB heap peaked at 634 MB of process memory and
 * an unbounded one at 1.7 GB, at the same speed; but on the benchmark's large files 512 MiB cost
 * a fifth of the backup's throughput in collections. 2 GiB is the compromise. What must fit: the
 * listings of the directories on the current path (a directory of 50,000 entries takes ~30 MiB)
 * and up to 524,288 chunk ids of the job (~60 MiB).
 */
export const DATA_THREAD_HEAP_MB = 2048;

/** Under SWC in development and tests, the thread loads TypeScript the same way the process does. */
function startThread(): Worker {
  tuneGarbageCollection();
  const typescript = __filename.endsWith('.ts');
  const heapMb = Number(process.env.ARCA_DATA_THREAD_HEAP_MB) || DATA_THREAD_HEAP_MB;
  const worker = new Worker(path.join(__dirname, typescript ? 'data-thread-worker.ts' : 'data-thread-worker.js'), {
    execArgv: typescript ? ['-r', '@swc-node/register'] : [],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
  worker.unref();
  return worker;
}

/**
 * Threads kept between jobs: a thread takes about a second to load its code, which a backup
 * should not pay each time. At most one idle thread is kept; jobs running at once each get a
 * thread of their own.
 */
class DataThreads {
  private idle: Worker[] = [];
  /** Listeners while a thread is idle (never removeAllListeners: Worker keeps listeners of its own). */
  private readonly idleListeners = new Map<Worker, { onError: () => void; onExit: () => void }>();

  acquire(): Worker {
    const worker = this.idle.pop();
    if (!worker) return startThread();
    const listeners = this.idleListeners.get(worker)!;
    this.idleListeners.delete(worker);
    worker.off('error', listeners.onError).off('exit', listeners.onExit);
    return worker;
  }

  release(worker: Worker): void {
    if (this.idle.length > 0) {
      void worker.terminate();
      return;
    }
    worker.unref();
    const listeners = {
      onError: () => undefined, // an idle thread that fails is simply gone (its 'exit' follows)
      onExit: () => {
        this.idle = this.idle.filter((w) => w !== worker);
        this.idleListeners.delete(worker);
      },
    };
    worker.on('error', listeners.onError).on('exit', listeners.onExit);
    this.idleListeners.set(worker, listeners);
    this.idle.push(worker);
  }

  warm(): void {
    if (this.idle.length === 0) this.release(startThread());
  }

  async close(): Promise<void> {
    const workers = this.idle.splice(0);
    this.idleListeners.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const threads = new DataThreads();
let nextJob = 0;

/** Starts a data thread ahead of the first job, so that one does not wait for it (services call this at start). */
export function warmDataThread(): void {
  threads.warm();
}

/** Ends the idle data thread (tests; a service simply exits). */
export function closeDataThreads(): Promise<void> {
  return threads.close();
}

/** How long an aborted job's thread may take to stop by itself before it is ended. */
const ABORT_GRACE_MS = 30_000;

/**
 * Runs a task on a data thread, serving its repository calls here. Resolves with the task's
 * result; a failure inside the task rejects with its message, and the thread is kept for the
 * next job; a thread that dies is replaced.
 *
 * `signal` aborts the task: the promise rejects at once with an AbortError, and every repository
 * call the thread has waiting or makes next is answered with an error, so it stores nothing more
 * and stops at its next call (within one lookup batch). The thread is kept once it has stopped;
 * one that does not stop within ABORT_GRACE_MS is ended. (Stopping it cooperatively rather than
 * terminating it at once: a thread with the TypeScript loader cannot always be ended and replaced
 * safely, and a warm thread is worth keeping.)
 */
export function runOnDataThread<R>(
  task: ThreadTask, serve: (call: RepositoryCall) => Promise<unknown>, onProgress?: (progress: ThreadProgress) => void, signal?: AbortSignal,
): Promise<R> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const job = nextJob++;
  const worker = threads.acquire();
  worker.ref(); // a running job keeps the process alive
  return new Promise<R>((resolve, reject) => {
    let answered = false; // the caller has its outcome
    let released = false; // the thread is no longer this job's
    let abortedWith: Error | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const waiting = new Set<number>();
    // The last repository call that failed here: a job that fails on it fails with that error
    // (or one wrapping it), so its cause chain (a refused connection, an S3 answer) is not lost.
    let callFailure: Error | undefined;
    const answer = (outcome: () => void) => {
      if (answered) return;
      answered = true;
      outcome();
    };
    const release = (keepThread: boolean) => {
      if (released) return;
      released = true;
      clearTimeout(graceTimer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      if (keepThread) threads.release(worker);
      else void worker.terminate();
    };
    const settle = (outcome: () => void, keepThread: boolean) => {
      release(keepThread);
      answer(outcome);
    };
    const refuse = (n: number) => worker.postMessage({ type: 'reply', n, error: abortedWith!.message } satisfies ToWorker);
    const reply = (n: number, work: Promise<unknown>) => {
      waiting.add(n);
      work.then(
        (value) => {
          if (!waiting.delete(n)) return; // answered already (aborted)
          if (value instanceof Uint8Array) {
            const bytes = transferable(value);
            worker.postMessage({ type: 'reply', n, value: bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
          } else {
            worker.postMessage({ type: 'reply', n, value } satisfies ToWorker);
          }
        },
        (error: unknown) => {
          if (error instanceof Error) callFailure = error;
          if (waiting.delete(n)) worker.postMessage({ type: 'reply', n, error: error instanceof Error ? error.message : String(error) } satisfies ToWorker);
        },
      );
    };
    // Bound to the caller's async context: the repository calls and progress events it causes
    // belong to the job's trace (the port's events would otherwise run in the root context).
    const onMessage = AsyncResource.bind((message: ToParent) => {
      if (message.job !== job) return;
      switch (message.type) {
        case 'call':
          if (abortedWith) refuse(message.n);
          else reply(message.n, serve(message));
          break;
        case 'progress':
          if (!abortedWith) onProgress?.(message.progress);
          break;
        case 'done':
          settle(() => resolve(message.result as R), true);
          break;
        case 'failed':
          settle(() => reject(failedWith(message.message, callFailure)), true);
          break;
      }
    });
    const onError = (error: Error) => settle(() => reject(new Error(`the data thread failed: ${error.message}`)), false);
    const onExit = (code: number) => settle(() => reject(new Error(`the data thread exited (code ${code}) before the job finished`)), false);
    const onAbort = () => {
      abortedWith = abortError(signal!);
      for (const n of waiting) refuse(n);
      waiting.clear();
      graceTimer = setTimeout(() => release(false), ABORT_GRACE_MS);
      graceTimer.unref();
      answer(() => reject(abortedWith));
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage({ type: 'run', job, task } satisfies ToWorker);
  });
}

/** The data thread's failure as an error: the failed repository call's own when it says the same, else one wrapping it when it mentions it. */
function failedWith(message: string, callFailure: Error | undefined): Error {
  if (callFailure && message === callFailure.message) return callFailure;
  return new Error(message, callFailure && message.includes(callFailure.message) ? { cause: callFailure } : undefined);
}

function abortError(signal: AbortSignal): Error {
  const error = new Error(`the job was aborted: ${signal.reason instanceof Error ? signal.reason.message : String(signal.reason)}`);
  error.name = 'AbortError';
  return error;
}

/**
 * How many bytes of a stream one `readStream` call carries at most: a megabyte is some 16 messages
 * fewer than the 64 KiB an HTTP upload arrives in, and little to hold per job.
 */
export const STREAM_PULL_BYTES = 1 << 20;

/** Reads a stream a call at a time: up to STREAM_PULL_BYTES of what it has given (a piece larger than that whole), null at its end. */
function streamPuller(stream: Readable): () => Promise<Uint8Array | null> {
  const pieces = stream[Symbol.asyncIterator]();
  let carry: Buffer | undefined;
  let ended = false;
  return async () => {
    const parts: Buffer[] = carry ? [carry] : [];
    let size = carry?.length ?? 0;
    carry = undefined;
    while (!ended && size < STREAM_PULL_BYTES) {
      const next = await pieces.next();
      if (next.done) {
        ended = true;
        break;
      }
      const piece = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as string);
      if (size > 0 && size + piece.length > STREAM_PULL_BYTES) {
        carry = piece; // the next call's first piece
        break;
      }
      parts.push(piece);
      size += piece.length;
    }
    if (size === 0) return null;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
  };
}

/**
 * Serves a data thread's calls from a repository (the archive side, the restore side, or both),
 * and, for a stream backup, from the stream it reads.
 */
export function serveRepository(repository: Partial<ChunkRepository & ChunkSource>, stream?: Readable): (call: RepositoryCall) => Promise<unknown> {
  const missing = (method: string) => Promise.reject(new Error(`this repository does not serve ${method}`));
  const pull = stream ? streamPuller(stream) : undefined;
  return async (call) => {
    switch (call.method) {
      case 'readStream':
        return pull ? pull() : missing(call.method);
      case 'lookup': {
        if (!repository.lookup) return missing(call.method);
        const { fresh, packs } = await repository.lookup(call.ids.map((id) => Buffer.from(id, 'hex')));
        return { fresh: [...fresh], packs: [...packs] };
      }
      case 'storePack':
        return repository.storePack ? repository.storePack({ key: call.pack.key, bytes: asBuffer(call.pack.bytes), entries: call.pack.entries }) : missing(call.method);
      case 'locate':
        return repository.locate ? [...(await repository.locate(call.ids))] : missing(call.method);
      case 'readPack':
        return repository.readPack ? repository.readPack(call.packKey) : missing(call.method);
      case 'readRange':
        if (repository.readRange) return repository.readRange(call.packKey, call.offset, call.length);
        if (repository.readPack) return (await repository.readPack(call.packKey)).subarray(call.offset, call.offset + call.length);
        return missing(call.method);
    }
  };
}
