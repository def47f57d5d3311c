import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { treeSize } from './tree-size';

const root = mkdtempSync(path.join(os.tmpdir(), 'arca-tree-size-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('treeSize (the progress total of a directory backup)', () => {
  it('counts a hard-linked file once, like the backup reads it, and does not follow symlinks', async () => {
    mkdirSync(path.join(root, 'sub'));
    writeFileSync(path.join(root, 'big.bin'), Buffer.alloc(20_000));
    linkSync(path.join(root, 'big.bin'), path.join(root, 'sub', 'big-link.bin'));
    linkSync(path.join(root, 'big.bin'), path.join(root, 'another-link.bin'));
    writeFileSync(path.join(root, 'sub', 'small.txt'), 'x'.repeat(300));
    symlinkSync('big.bin', path.join(root, 'sym'));
    symlinkSync('sub', path.join(root, 'dir-sym'));
    expect(await treeSize(root)).toBe(20_300);
  });

  it('is 0 for a directory it cannot read', async () => {
    expect(await treeSize(path.join(root, 'missing'))).toBe(0);
  });
});
