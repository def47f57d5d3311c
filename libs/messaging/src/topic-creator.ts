import { Admin, Kafka } from 'kafkajs';

/**
 * Creates topics the first time this process publishes to (or subscribes to) them. Real clusters
 * usually turn broker-side auto-creation off, and a consumer subscribing to a missing topic fails,
 * so the platform does not rely on it. Partitions and replication default to the broker's settings.
 */
export class TopicCreator {
  private readonly ensured = new Map<string, Promise<void>>();
  private admin?: Admin;
  private connected?: Promise<void>;

  constructor(private readonly kafka: Kafka) {}

  /** Resolves once every topic exists; concurrent calls for one topic share one request. */
  async ensure(topics: string[]): Promise<void> {
    const missing = topics.filter((topic) => !this.ensured.has(topic));
    if (missing.length > 0) {
      const creation = this.create(missing);
      for (const topic of missing) {
        this.ensured.set(topic, creation.catch((error) => {
          this.ensured.delete(topic); // so the next publish tries again
          throw error;
        }));
      }
    }
    await Promise.all(topics.map((topic) => this.ensured.get(topic)));
  }

  private async create(topics: string[]): Promise<void> {
    this.admin ??= this.kafka.admin();
    this.connected ??= this.admin.connect().catch((error) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    try {
      // Only the missing ones: kafkajs logs an ERROR line for every "already exists" answer, which
      // would greet each restart. A topic created meanwhile by another process still answers
      // false ("already there"), which is what we want; other errors throw.
      const existing = new Set(await this.admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) await this.admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
    } catch (error) {
      throw new Error(`could not create Kafka topic(s) ${topics.join(', ')}: ${(error as Error).message}`, { cause: error });
    }
  }

  async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connected = undefined;
    this.ensured.clear();
    await admin?.disconnect();
  }
}
