import { randomBytes } from 'node:crypto';
import { link, mkdir, symlink, utimes, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';

/**
 * A source tree with the cases a backup must get right: regular, empty and large files, empty
 * directories, relative and dangling symlinks, hard links, unicode, odd and non-UTF-8 names, modes and mtimes.
 */
export async function makeEdgeCaseTree(root: string): Promise<void> {
  await mkdir(path.join(root, 'docs', 'nested', 'deeper'), { recursive: true });
  await mkdir(path.join(root, 'empty-dir'), { recursive: true });
  await writeFile(path.join(root, 'docs', 'readme.txt'), 'hello arca\n'.repeat(1000));
  await writeFile(path.join(root, 'docs', 'nested', 'deeper', 'random.bin'), randomBytes(3 * 1024 * 1024 + 17));
  await writeFile(path.join(root, 'docs', 'repeated.log'), Buffer.alloc(5 * 1024 * 1024, 'log line 42\n'));
  await writeFile(path.join(root, 'empty-file'), '');
  await writeFile(path.join(root, 'ünïcødé – 日本語 😀.txt'), 'unicode name');
  await writeFile(path.join(root, 'spaces and\ttab, "quotes" & $dollar'), 'odd name');
  await writeFile(path.join(root, '-leading-dash'), 'dash');
  await writeFile(path.join(root, 'script.sh'), '#!/bin/sh\necho hi\n');
  await chmod(path.join(root, 'script.sh'), 0o750);
  await writeFile(path.join(root, 'private.key'), 'secret');
  await chmod(path.join(root, 'private.key'), 0o600);
  await symlink('docs/readme.txt', path.join(root, 'link-to-readme'));
  await symlink('/nonexistent/target', path.join(root, 'dangling-link'));
  await symlink('nested', path.join(root, 'docs', 'dir-link'));
  await link(path.join(root, 'docs', 'readme.txt'), path.join(root, 'hardlink-to-readme'));
  // Names that are not UTF-8 (Latin-1 bytes, which Linux allows) must come back byte for byte;
  // the file literally named `caf\xE9` takes the readable form the Latin-1 directory would have.
  const latin1 = (...parts: string[]) => Buffer.concat([Buffer.from(root), Buffer.from(`/${parts.join('/')}`, 'latin1')]);
  await mkdir(latin1('caf\xe9'));
  await writeFile(latin1('caf\xe9', 'r\xe9sum\xe9.txt'), 'latin-1 names');
  await link(latin1('caf\xe9', 'r\xe9sum\xe9.txt'), latin1('caf\xe9', 'hardlink-\xe0'));
  await writeFile(path.join(root, 'caf\\xE9'), 'a literal backslash-x name');
  await symlink(Buffer.from('caf\xe9/r\xe9sum\xe9.txt', 'latin1'), path.join(root, 'link-to-latin1'));
  const old = new Date('2020-02-29T12:34:56.789Z');
  await utimes(path.join(root, 'docs', 'readme.txt'), old, old);
  await utimes(path.join(root, 'empty-dir'), old, old);
  await utimes(latin1('caf\xe9'), old, old);
}
