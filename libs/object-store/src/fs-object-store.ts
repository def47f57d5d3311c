import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { assertValidKey, assertValidRange, ObjectNotFoundError, ObjectStore } from './object-store';

/** Ends the name of a put's temporary file; listings skip such files, and keys may not end with it. */
export const TEMP_SUFFIX = '.partial';

function notFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Objects as files under a root directory (single-machine installs, NAS mounts). A put writes a
 * temporary file beside the target, fsyncs it and renames it into place (rename is atomic within
 * a directory), so readers never see a partial object and a crash leaves at most a `.partial`
 * file that listings ignore.
 */
export class FsObjectStore implements ObjectStore {
  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  private file(key: string): string {
    assertValidKey(key);
    // A key ending like a temporary file would be hidden from listings: refuse it up front.
    if (key.endsWith(TEMP_SUFFIX)) throw new Error(`invalid object key "${key}" (keys may not end with "${TEMP_SUFFIX}" in the filesystem store)`);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Buffer): Promise<void> {
    const target = this.file(key);
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
      throw new Error(`${this.describe()}: cannot write object "${key}": ${(error as Error).message}`, { cause: error });
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

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
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
