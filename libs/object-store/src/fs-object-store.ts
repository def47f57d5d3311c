import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { assertValidKey, ObjectNotFoundError, ObjectStore } from './object-store';

const TEMP_SUFFIX = '.partial';

function notFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Objects as files under a root directory (single-machine installs, NAS mounts). A put writes a
 * temporary file beside the target, fsyncs it and renames it into place, so readers never see a
 * partial object and a crash leaves at most a `.partial` file that listings ignore.
 */
export class FsObjectStore implements ObjectStore {
  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  private file(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Buffer): Promise<void> {
    const target = this.file(key);
    mkdirSync(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
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
    let handle;
    try {
      handle = await open(this.file(key), 'r');
    } catch (error) {
      if (notFound(error)) throw new ObjectNotFoundError(key, this.describe());
      throw error;
    }
    try {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      return { size: (await stat(this.file(key))).size };
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    const walk = async function* (this: FsObjectStore, dir: string, keyPrefix: string): AsyncGenerator<{ key: string; size: number }> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (notFound(error)) return;
        throw error;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        const key = keyPrefix + entry.name;
        if (entry.isDirectory()) {
          if (prefix.startsWith(key + '/') || (key + '/').startsWith(prefix)) yield* walk.call(this, path.join(dir, entry.name), key + '/');
        } else if (entry.isFile() && !entry.name.endsWith(TEMP_SUFFIX) && key.startsWith(prefix)) {
          yield { key, size: (await stat(path.join(dir, entry.name))).size };
        }
      }
    };
    yield* walk.call(this, this.root, '');
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async ping(): Promise<void> {
    await stat(this.root);
  }

  describe(): string {
    return `filesystem store ${this.root}`;
  }
}
