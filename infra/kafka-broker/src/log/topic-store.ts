import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PartitionLog } from './partition-log';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export class InvalidTopicError extends Error {}

/** Writes a small file so that readers see either the old or the new content, never a mix. */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/** All topics, their partition logs, and the topic list persisted beside them. */
export class TopicStore {
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly catalogue: string;

  constructor(private readonly dataDir: string) {
    mkdirSync(path.join(dataDir, 'topics'), { recursive: true });
    this.catalogue = path.join(dataDir, 'topics.json');
    if (existsSync(this.catalogue)) {
      const saved = JSON.parse(readFileSync(this.catalogue, 'utf8')) as Record<string, number>;
      for (const [name, partitions] of Object.entries(saved)) this.open(name, partitions);
    }
  }

  private open(name: string, partitions: number): PartitionLog[] {
    const logs = Array.from({ length: partitions }, (_, p) => new PartitionLog(path.join(this.dataDir, 'topics', name, String(p))));
    this.topics.set(name, logs);
    return logs;
  }

  private save(): void {
    writeFileAtomic(this.catalogue, JSON.stringify(Object.fromEntries([...this.topics].map(([n, logs]) => [n, logs.length]))));
  }

  has(name: string): boolean {
    return this.topics.has(name);
  }

  names(): string[] {
    return [...this.topics.keys()];
  }

  partitions(name: string): PartitionLog[] | undefined {
    return this.topics.get(name);
  }

  partition(name: string, partition: number): PartitionLog | undefined {
    return this.topics.get(name)?.[partition];
  }

  create(name: string, partitions: number): PartitionLog[] {
    if (!TOPIC_NAME.test(name) || name === '.' || name === '..') throw new InvalidTopicError(`invalid topic name "${name}"`);
    if (partitions < 1 || partitions > 1000) throw new InvalidTopicError(`topic "${name}": partitions must be 1-1000, got ${partitions}`);
    const logs = this.open(name, partitions);
    this.save();
    return logs;
  }

  /** Grows a topic to `count` partitions (Kafka never shrinks one); existing partitions keep their logs. */
  addPartitions(name: string, count: number): void {
    const logs = this.topics.get(name);
    if (!logs) throw new InvalidTopicError(`topic "${name}" does not exist`);
    if (count <= logs.length) throw new InvalidTopicError(`topic "${name}" has ${logs.length} partitions; the new count must be larger, got ${count}`);
    if (count > 1000) throw new InvalidTopicError(`topic "${name}": partitions must be 1-1000, got ${count}`);
    for (let p = logs.length; p < count; p++) logs.push(new PartitionLog(path.join(this.dataDir, 'topics', name, String(p))));
    this.save();
  }

  delete(name: string): void {
    const logs = this.topics.get(name);
    if (!logs) return;
    for (const log of logs) log.close();
    this.topics.delete(name);
    this.save();
    rmSync(path.join(this.dataDir, 'topics', name), { recursive: true, force: true });
  }

  close(): void {
    for (const logs of this.topics.values()) for (const log of logs) log.close();
  }
}
