import { ConsumerGroup } from './group/consumer-group';
import { OffsetStore } from './group/offset-store';
import { InvalidTopicError, TopicStore } from './log/topic-store';
import { ErrorCode } from './protocol/errors';

export const NODE_ID = 0;

/** What every request handler may use: the logs, the groups, and this broker's address. */
export class BrokerContext {
  readonly groups = new Map<string, ConsumerGroup>();
  private readonly appendListeners = new Set<() => void>();

  constructor(
    readonly topics: TopicStore,
    readonly offsets: OffsetStore,
    readonly advertised: { host: string; port: number },
    readonly settings: { defaultPartitions: number; autoCreateTopics: boolean },
    readonly log: (line: string) => void,
  ) {}

  group(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new ConsumerGroup(groupId);
      this.groups.set(groupId, group);
    }
    return group;
  }

  /**
   * Creates a topic on first use when auto-creation is on. Answers NONE when it exists now,
   * INVALID_TOPIC_EXCEPTION for a name Kafka would refuse (clients give up at once instead of
   * retrying), else UNKNOWN_TOPIC_OR_PARTITION.
   */
  ensureTopic(name: string): number {
    if (this.topics.has(name)) return ErrorCode.NONE;
    if (!this.settings.autoCreateTopics) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    try {
      this.topics.create(name, this.settings.defaultPartitions);
      this.log(`auto-created topic ${name} with ${this.settings.defaultPartitions} partitions`);
      return ErrorCode.NONE;
    } catch (error) {
      if (error instanceof InvalidTopicError) return ErrorCode.INVALID_TOPIC_EXCEPTION;
      this.log(`could not create topic ${name}: ${(error as Error).message}`);
      return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    }
  }

  /** Long-polling fetches wait on this; produce wakes them. */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  notifyAppend(): void {
    for (const listener of [...this.appendListeners]) listener();
  }
}
