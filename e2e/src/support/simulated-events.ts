import { EVENT_VERSION, TOPICS } from '@arca/contracts';
import { Kafka, logLevel, Message } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import type { TestPlatform } from './test-platform';

/**
 * Events as the platform's services publish them, each with the time it "happened" (the injected
 * clock is the events' own occurredAt: reporting folds them by it), played onto Kafka in order per
 * topic: for simulating weeks or a quarter of backups in seconds (compliance, console reports).
 */
export function simulatedEvent(type: string, occurredAt: Date, payload: Record<string, unknown>, jobId?: string): Message {
  return {
    key: jobId ?? (payload.policyId as string),
    value: JSON.stringify({ eventId: randomUUID(), type, version: EVENT_VERSION, occurredAt: occurredAt.toISOString(), ...(jobId ? { jobId } : {}), payload }),
  };
}

/** A directory policy's spec, for a simulated policy.changed. */
export function simulatedPolicySpec(name: string, rpoMinutes: number, cron: string, extra: Record<string, unknown> = {}) {
  return { name, source: { kind: 'directory', path: `/srv/${name}` }, schedule: { cron, timezone: 'UTC' }, rpoMinutes, retention: { keepDaily: 14, keepMonthly: 6 }, ...extra };
}

/** A backup's figures (backup.completed's stats). */
export const SIMULATED_STATS = { files: 10, dirs: 2, bytesRead: 1_000_000, bytesNew: 100_000, bytesStored: 50_000, chunks: 20, newChunks: 2, dedupeRatio: 10, compressionRatio: 2, durationMs: 60_000, throughputBytesPerSec: 16_666 };

/** Simulated events gathered per topic, then sent in order of time. */
export class SimulatedEvents {
  readonly byTopic = new Map<string, Message[]>();

  add(topic: string, at: Date, payload: Record<string, unknown>, jobId?: string): void {
    if (!this.byTopic.has(topic)) this.byTopic.set(topic, []);
    this.byTopic.get(topic)!.push(simulatedEvent(topic, at, payload, jobId));
  }

  /** One backup's terminal event, a minute after its due time: completed (its snapshot id returned) or failed. */
  backup(policyId: string, name: string, due: Date, ok: boolean, stats: Record<string, unknown> = SIMULATED_STATS): { jobId: string; snapshotId: string | null; at: Date } {
    const jobId = randomUUID();
    const source = { kind: 'directory', path: `/srv/${name}` };
    const at = new Date(due.getTime() + 60_000);
    if (!ok) {
      this.add(TOPICS.backupFailed, at, { jobId, policyId, source, reason: `simulated: ${name} unreachable`, stage: 'read' }, jobId);
      return { jobId, snapshotId: null, at };
    }
    const snapshotId = randomBytes(32).toString('hex');
    this.add(TOPICS.backupCompleted, at, { jobId, policyId, source, snapshotId, manifestKey: `snapshots/${jobId}`, stats, errors: 0 }, jobId);
    return { jobId, snapshotId, at };
  }

  /** Sends what was gathered, topic by topic (`order`, then the rest), 200 messages a batch. */
  async send(platform: TestPlatform, order: string[] = []): Promise<void> {
    await withProducer(platform, async (send) => {
      for (const topic of [...order, ...[...this.byTopic.keys()].filter((t) => !order.includes(t))]) {
        const messages = this.byTopic.get(topic) ?? [];
        for (let i = 0; i < messages.length; i += 200) await send(topic, messages.slice(i, i + 200));
      }
    });
    this.byTopic.clear();
  }
}

/** A Kafka producer to the platform's broker for the length of `use`. */
export async function withProducer(platform: TestPlatform, use: (send: (topic: string, messages: Message[]) => Promise<unknown>) => Promise<void>): Promise<void> {
  const kafka = new Kafka({ clientId: 'e2e-simulated', brokers: [platform.env.KAFKA_BROKERS!], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await use((topic, messages) => producer.send({ topic, messages }));
  } finally {
    await producer.disconnect();
  }
}
