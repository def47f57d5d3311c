import { DataSource, EntityManager } from 'typeorm';
import { ProcessedEventEntity } from './processed-event.entity';

/**
 * Applies an event's effects at most once per consumer group: the event id is recorded in the
 * same transaction as the effects, so a redelivered event (Kafka is at-least-once) is skipped,
 * and a failed attempt leaves no record and is retried. Returns false for a duplicate.
 */
export async function handleOnce(
  dataSource: DataSource,
  consumerGroup: string,
  eventId: string,
  apply: (manager: EntityManager) => Promise<void>,
): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const inserted = await manager.createQueryBuilder().insert().into(ProcessedEventEntity)
      .values({ consumerGroup, eventId }).orIgnore().returning(['eventId']).execute();
    if ((inserted.raw as unknown[]).length === 0) return false;
    await apply(manager);
    return true;
  });
}
