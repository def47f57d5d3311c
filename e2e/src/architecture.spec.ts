import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('architecture', () => {
  it('keeps services independent: a service imports libs, never another service', () => {
    const services = readdirSync(path.join(ROOT, 'services'));
    const violations: string[] = [];
    for (const service of services) {
      for (const file of sources(path.join(ROOT, 'services', service, 'src'))) {
        const text = readFileSync(file, 'utf8');
        for (const other of services.filter((s) => s !== service)) {
          if (text.includes(`@arca/${other}-service`) || new RegExp(`from '(\\.\\./)+${other}/`).test(text)) violations.push(`${path.relative(ROOT, file)} imports ${other}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('never turns on TypeORM synchronize: schemas change only through migrations', () => {
    const offenders = ['libs', 'services'].flatMap((dir) => sources(path.join(ROOT, dir))).filter((f) => /synchronize:\s*true/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
