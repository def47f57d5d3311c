import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../log/topic-store';

interface Committed {
  offset: number;
  metadata: string | null;
}

/** Committed consumer-group offsets, one small JSON file per group, rewritten atomically on commit. */
export class OffsetStore {
  private readonly groups = new Map<string, Map<string, Committed>>();
  private readonly directory: string;

  constructor(dataDir: string) {
    this.directory = path.join(dataDir, 'offsets');
    mkdirSync(this.directory, { recursive: true });
  }

  private file(group: string): string {
    return path.join(this.directory, `${encodeURIComponent(group)}.json`);
  }

  private load(group: string): Map<string, Committed> {
    let offsets = this.groups.get(group);
    if (!offsets) {
      const file = this.file(group);
      offsets = new Map(existsSync(file) ? Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, Committed>) : []);
      this.groups.set(group, offsets);
    }
    return offsets;
  }

  commit(group: string, entries: Array<{ topic: string; partition: number; offset: number; metadata: string | null }>): void {
    const offsets = this.load(group);
    for (const e of entries) offsets.set(`${e.topic}/${e.partition}`, { offset: e.offset, metadata: e.metadata });
    writeFileAtomic(this.file(group), JSON.stringify(Object.fromEntries(offsets)));
  }

  fetch(group: string, topic: string, partition: number): Committed | undefined {
    return this.load(group).get(`${topic}/${partition}`);
  }

  /** Every group that has committed offsets, including those committed before a restart. */
  groupIds(): string[] {
    const onDisk = readdirSync(this.directory).filter((f) => f.endsWith('.json')).map((f) => decodeURIComponent(f.slice(0, -'.json'.length)));
    return [...new Set([...onDisk, ...this.groups.keys()])];
  }

  has(group: string): boolean {
    return this.groups.has(group) || existsSync(this.file(group));
  }

  /** Forgets a group's committed offsets (DeleteGroups). */
  delete(group: string): void {
    this.groups.delete(group);
    rmSync(this.file(group), { force: true });
  }

  topicsOf(group: string): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const key of this.load(group).keys()) {
      const cut = key.lastIndexOf('/');
      const topic = key.slice(0, cut);
      out.set(topic, [...(out.get(topic) ?? []), Number(key.slice(cut + 1))]);
    }
    return out;
  }
}
