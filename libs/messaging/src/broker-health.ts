import { Kafka } from 'kafkajs';

/** Injection token of the broker's health check (used by /health). */
export const BROKER_HEALTH = Symbol('BROKER_HEALTH');

/** A health check that asks the cluster for its brokers; the admin connection is opened once and kept. */
export function brokerHealth(kafka: Kafka): { name: string; check: () => Promise<{ brokers: number }> } {
  const admin = kafka.admin();
  let connected: Promise<void> | undefined;
  return {
    name: 'broker',
    check: async () => {
      connected ??= admin.connect().catch((error) => {
        connected = undefined;
        throw error;
      });
      await connected;
      const cluster = await admin.describeCluster();
      return { brokers: cluster.brokers.length };
    },
  };
}
