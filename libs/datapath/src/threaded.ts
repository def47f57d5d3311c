import type { Readable } from 'node:stream';
import { ArchiveResult, ArchiverOptions } from './archiver';
import { ThreadProgress, runOnDataThread, serveRepository } from './data-thread';
import { Manifest } from './manifest';
import { ChunkSource } from './chunk-reader';
import { RestoreResult } from './restorer';
import { MasterKey } from './keys';

/**
 * The archiver with a backup's data path on a data thread (see data-thread.ts for why): a
 * directory's, read there, and a stream's (an upload, a pg_dump), whose bytes arrive on the calling
 * thread and are pulled across as the data thread chunks them.
 */
export class WorkerArchiver {
  constructor(private readonly options: ArchiverOptions) {}

  /** A stream (an upload, a database dump) on a data thread too: its bytes are pulled across as the thread chunks them. */
  archiveStream(name: string, stream: Readable, options: { signal?: AbortSignal } = {}): Promise<ArchiveResult> {
    const { key, repository, onProgress, chunker, packSize, compressionLevel, maxUploads, bandwidthLimitBytesPerSec, progressIntervalMs } = this.options;
    return runOnDataThread<ArchiveResult>(
      { kind: 'archive-stream', key, name, options: { chunker, packSize, compressionLevel, maxUploads, bandwidthLimitBytesPerSec, progressIntervalMs } },
      serveRepository(repository, stream),
      onProgress as (p: ThreadProgress) => void,
      options.signal,
    );
  }

  /** `signal` aborts the backup: the data thread is ended and the promise rejects with an AbortError. */
  archiveDirectory(root: string, options: { signal?: AbortSignal } = {}): Promise<ArchiveResult> {
    const { key, repository, parent, onProgress, chunker, packSize, compressionLevel, maxUploads, bandwidthLimitBytesPerSec, progressIntervalMs } = this.options;
    return runOnDataThread<ArchiveResult>(
      { kind: 'archive', key, root, parent, options: { chunker, packSize, compressionLevel, maxUploads, bandwidthLimitBytesPerSec, progressIntervalMs } },
      serveRepository(repository),
      onProgress as (p: ThreadProgress) => void,
      options.signal,
    );
  }
}

/** The restorer with a restore to a directory on a data thread: decryption, decompression and verification off the service's heap. */
export class WorkerRestorer {
  constructor(private readonly key: MasterKey, private readonly source: ChunkSource, private readonly onProgress?: (p: { files: number; bytesWritten: number }) => void) {}

  restore(manifest: Manifest, target: string, options: { paths?: string[] } = {}): Promise<RestoreResult> {
    return runOnDataThread<RestoreResult>(
      { kind: 'restore', key: this.key, manifest, target, paths: options.paths },
      serveRepository(this.source),
      this.onProgress as (p: ThreadProgress) => void,
    );
  }
}
