import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { assertValidKey, assertValidLock, assertValidRange, DeleteOptions, ObjectLock, ObjectLockedError, ObjectNotFoundError, ObjectStore, PutOptions } from './object-store';

/** Ends the name of a put's temporary file; listings skip such files, and keys may not end with it. */
export const TEMP_SUFFIX = '.partial';

/**
 * The top-level directory holding object locks, one small JSON file per locked key at the key's
 * path (`.arca-locks/data/ab/<pack>`). Hidden from listings; no key may start with it.
 */
export const LOCKS_DIR = '.arca-locks';

/** One object's lock: the stricter mode and the later date win, so a second locked put never weakens the first. */
function stricter(a: ObjectLock, b: ObjectLock): ObjectLock {
  return {
    mode: a.mode === 'compliance' || b.mode === 'compliance' ? 'compliance' : 'governance',
    retainUntil: a.retainUntil.getTime() >= b.retainUntil.getTime() ? a.retainUntil : b.retainUntil,
  };
}

function notFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Objects as files under a root directory (single-machine installs, NAS mounts). A put writes a
 * temporary file beside the target, fsyncs it and renames it into place (rename is atomic within
 * a directory), so readers never see a partial object and a crash leaves at most a `.partial`
 * file that listings ignore.
 *
 * Object lock is kept in a lock file per object under LOCKS_DIR (no xattrs: they do not survive
 * every copy tool and NAS) and enforced by this class: a locked object is neither deleted nor
 * replaced by other bytes before its date. That is WORM against Arca itself (prune, a bug, a
 * stolen API credential), not against someone who can write to the directory.
 */
export class FsObjectStore implements ObjectStore {
  private readonly now: () => Date;

  /** `now` is the clock locks are judged by (tests move it forward). */
  constructor(private readonly root: string, options: { now?: () => Date } = {}) {
    mkdirSync(root, { recursive: true });
    this.now = options.now ?? (() => new Date());
  }

  private file(key: string): string {
    assertValidKey(key);
    // A key ending like a temporary file would be hidden from listings: refuse it up front.
    if (key.endsWith(TEMP_SUFFIX)) throw new Error(`invalid object key "${key}" (keys may not end with "${TEMP_SUFFIX}" in the filesystem store)`);
    if (key.split('/')[0] === LOCKS_DIR) throw new Error(`invalid object key "${key}" ("${LOCKS_DIR}/" holds the filesystem store's object locks)`);
    return path.join(this.root, ...key.split('/'));
  }

  private lockFile(key: string): string {
    return path.join(this.root, LOCKS_DIR, ...key.split('/'));
  }

  /** The recorded lock, expired or not. A lock file that cannot be read is an error: never silently unlocked. */
  private async readLock(key: string): Promise<ObjectLock | null> {
    let text: string;
    try {
      text = await readFile(this.lockFile(key), 'utf8');
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
    let parsed: { mode?: unknown; retainUntil?: unknown } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // fall through to the damaged-file error below
    }
    const retainUntil = new Date(String(parsed.retainUntil));
    if ((parsed.mode !== 'compliance' && parsed.mode !== 'governance') || Number.isNaN(retainUntil.getTime())) {
      throw new Error(`${this.describe()}: the lock file of object "${key}" is damaged (${this.lockFile(key)}); the object stays undeletable until it is repaired`);
    }
    return { mode: parsed.mode, retainUntil };
  }

  /** The lock of an object that exists and whose date has not passed. A lock file left without its object (a crash mid-put) holds nothing. */
  private async lockInForce(key: string): Promise<ObjectLock | null> {
    const lock = await this.readLock(key);
    if (!lock || lock.retainUntil.getTime() <= this.now().getTime()) return null;
    return (await this.stat(key)) ? lock : null;
  }

  private async sameBytes(key: string, body: Buffer): Promise<boolean> {
    const info = await this.stat(key);
    return info !== null && info.size === body.length && (await readFile(this.file(key))).equals(body);
  }

  async put(key: string, body: Buffer, options: PutOptions = {}): Promise<void> {
    const target = this.file(key);
    const lock = options.lock;
    if (lock) assertValidLock(key, lock, this.now());
    const held = await this.lockInForce(key);
    if (held) {
      // The same bytes again (a retried put) change nothing a lock protects, so they are accepted
      // and may only strengthen the lock; other bytes would destroy the locked version.
      if (!(await this.sameBytes(key, body))) throw new ObjectLockedError(key, held.retainUntil, held.mode, this.describe());
      if (lock) await this.writeLock(key, stricter(held, lock));
      return;
    }
    // The lock before the object: a crash in between leaves a lock file without its object (which
    // holds nothing), never a locked backup's object without its lock.
    if (lock) await this.writeLock(key, lock);
    else await rm(this.lockFile(key), { force: true }); // an expired or orphaned lock must not cover new bytes
    try {
      await this.writeAtomically(target, body);
    } catch (error) {
      throw new Error(`${this.describe()}: cannot write object "${key}": ${(error as Error).message}`, { cause: error });
    }
  }

  private async writeLock(key: string, lock: ObjectLock): Promise<void> {
    try {
      await this.writeAtomically(this.lockFile(key), Buffer.from(JSON.stringify({ mode: lock.mode, retainUntil: lock.retainUntil.toISOString() })));
    } catch (error) {
      throw new Error(`${this.describe()}: cannot write the object lock of "${key}": ${(error as Error).message}`, { cause: error });
    }
  }

  private async writeAtomically(target: string, body: Buffer): Promise<void> {
    const dir = path.dirname(target);
    await mkdir(dir, { recursive: true });
    // A random name per put: concurrent puts of one key never write into the same temporary file.
    const temp = `${target}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await this.syncDirectory(dir);
  }

  /** Makes the rename itself durable: without it a power loss may forget that the new name exists. */
  private async syncDirectory(dir: string): Promise<void> {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.file(key));
    } catch (error) {
      if (notFound(error)) throw new ObjectNotFoundError(key, this.describe());
      throw error;
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    assertValidRange(key, offset, length);
    let handle;
    try {
      handle = await open(this.file(key), 'r');
    } catch (error) {
      if (notFound(error)) throw new ObjectNotFoundError(key, this.describe());
      throw error;
    }
    try {
      const buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      // read() may return fewer bytes than asked before the end of the file; keep reading until EOF.
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const info = await stat(this.file(key));
      return info.isFile() ? { size: info.size } : null;
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    const root = this.root;
    async function* walk(dir: string, keyPrefix: string): AsyncGenerator<{ key: string; size: number }> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (notFound(error)) return;
        throw error;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const key = keyPrefix + entry.name;
        if (key === LOCKS_DIR) continue; // the store's own lock files, not objects
        if (entry.isDirectory()) {
          // Descend only where keys under this directory can match the prefix.
          if (prefix.startsWith(key + '/') || (key + '/').startsWith(prefix)) yield* walk(path.join(dir, entry.name), key + '/');
        } else if (entry.isFile() && !entry.name.endsWith(TEMP_SUFFIX) && key.startsWith(prefix)) {
          try {
            yield { key, size: (await stat(path.join(dir, entry.name))).size };
          } catch (error) {
            // Deleted between readdir and stat: it is simply no longer there.
            if (!notFound(error)) throw error;
          }
        }
      }
    }
    yield* walk(root, '');
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const file = this.file(key);
    const lock = await this.lockInForce(key);
    if (lock && !(lock.mode === 'governance' && options.bypassGovernance)) throw new ObjectLockedError(key, lock.retainUntil, lock.mode, this.describe());
    await rm(file, { force: true });
    // After the object: a crash in between leaves an orphaned lock file, which holds nothing.
    await rm(this.lockFile(key), { force: true });
  }

  async lockedUntil(key: string): Promise<Date | null> {
    if (!(await this.stat(key))) return null;
    return (await this.readLock(key))?.retainUntil ?? null;
  }

  async supportsObjectLock(): Promise<boolean> {
    return true;
  }

  async ping(): Promise<void> {
    try {
      const info = await stat(this.root);
      if (!info.isDirectory()) throw new Error('not a directory');
    } catch (error) {
      throw new Error(`${this.describe()} is not usable: ${(error as Error).message}`, { cause: error });
    }
  }

  describe(): string {
    return `filesystem store ${this.root}`;
  }
}
