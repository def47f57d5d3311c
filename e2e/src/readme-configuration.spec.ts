import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
/** Read by the code but not Arca's to document: the login name (CLI), a figure the micro-benchmark prints. */
const NOT_CONFIGURATION = new Set(['USER', 'LOGNAME', 'UV_THREADPOOL_SIZE']);

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every environment variable the platform, the CLI and the embedded parts read. */
function variablesReadByCode(): Set<string> {
  const found = new Set<string>();
  const services = readdirSync(path.join(ROOT, 'services'));
  for (const file of ['libs', 'services', 'infra', 'cli'].flatMap(sources)) {
    const text = readFileSync(file, 'utf8');
    // process.env.X, env.X, env['X']
    for (const m of text.matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]+)/g)) found.add(m[1]);
    // Fields of the env classes that loadConfig fills from the environment.
    if (/extends CommonEnv|class CommonEnv/.test(text)) for (const m of text.matchAll(/^\s+([A-Z][A-Z0-9_]+)(?::|\s*=)/gm)) found.add(m[1]);
    // The object store reads `v('S3_BUCKET')` for the primary site and the same behind REPLICA_.
    if (file.endsWith(path.join('object-store', 'src', 'config.ts'))) {
      for (const m of text.matchAll(/\bv\('([A-Z][A-Z0-9_]+)'\)/g)) found.add(m[1]).add(`REPLICA_${m[1]}`);
    }
  }
  // The service directory: <SERVICE>_PORT and <SERVICE>_URL for each service.
  for (const service of services) for (const suffix of ['PORT', 'URL']) found.add(`${service.toUpperCase().replace(/-/g, '_')}_${suffix}`);
  for (const name of NOT_CONFIGURATION) found.delete(name);
  return found;
}

function configurationSection(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Configuration\n');
  expect(start, 'README has a "## Configuration" section').toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe('the README configuration table', () => {
  // The first cell of each table row: the variables it documents.
  const firstCells = [...configurationSection().matchAll(/^\| ([^|]+) \|/gm)].map((m) => m[1]).join('\n');
  const named = [...firstCells.matchAll(/`([A-Z][A-Z0-9_]*\*?)`/g)].map((m) => m[1]);
  const exact = new Set(named.filter((n) => !n.endsWith('*')));
  const prefixes = named.filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1));
  // "`GATEWAY_PORT` … `REPORTING_PORT`" documents the variable of that suffix for every service.
  const families = [...firstCells.matchAll(/`[A-Z_]+_([A-Z]+)` … `[A-Z_]+_\1`/g)].map((m) => `_${m[1]}`);
  const services = readdirSync(path.join(ROOT, 'services')).map((s) => s.toUpperCase().replace(/-/g, '_'));
  const documented = (name: string) =>
    exact.has(name) || prefixes.some((p) => name.startsWith(p)) || families.some((f) => name.endsWith(f) && services.includes(name.slice(0, -f.length)));

  it('names every environment variable the code reads', () => {
    expect([...variablesReadByCode()].filter((name) => !documented(name)).sort()).toEqual([]);
  });

  it('names no variable that nothing reads', () => {
    const read = variablesReadByCode();
    expect([...exact].filter((name) => !read.has(name)).sort()).toEqual([]);
  });
});
