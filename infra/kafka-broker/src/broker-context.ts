import { ConsumerGroup } from './group/consumer-group';
import { OffsetStore } from './group/offset-store';
import { TopicStore } from './log/topic-store';

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

  /** Creates a topic on first use when auto-creation is on; returns whether it exists now. */
  ensureTopic(name: string): boolean {
    if (this.topics.has(name)) return true;
    if (!this.settings.autoCreateTopics) return false;
    try {
      this.topics.create(name, this.settings.defaultPartitions);
      this.log(`auto-created topic ${name} with ${this.settings.defaultPartitions} partitions`);
      return true;
    } catch {
      return false;
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
